package ec2sim

import (
	"fmt"
	"regexp"
	"strconv"
)

// Resource IDs are the prefix, "-" and 17 hex digits, as EC2 writes them
// since 2016: "0" and a 64-bit permutation of the world's integer ID, salted
// per prefix so that an instance and an AMI with neighbouring world IDs
// look unrelated. decodeID inverts it.
const idMul uint64 = 0x9e3779b97f4a7c15 // odd, so invertible modulo 2^64

var idInv = func() uint64 {
	x := idMul // Newton's iteration for the inverse modulo 2^64
	for range 6 {
		x *= 2 - idMul*x
	}
	return x
}()

var salts = map[string]uint64{
	"i": 0x5a17c0ffee000001, "ami": 0x5a17c0ffee000002, "snap": 0x5a17c0ffee000003, "r": 0x5a17c0ffee000004,
	"vpc": 0x5a17c0ffee000005, "subnet": 0x5a17c0ffee000006, "key": 0x5a17c0ffee000007, "vol": 0x5a17c0ffee000008,
	"sg": 0x5a17c0ffee000009, "eni": 0x5a17c0ffee00000a, "igw": 0x5a17c0ffee00000b,
}

// encodeID is the EC2 ID of a world ID.
func encodeID(prefix string, id int64) string {
	return fmt.Sprintf("%s-0%016x", prefix, (uint64(id)^salts[prefix])*idMul)
}

var idForm = regexp.MustCompile(`^([a-z]+)-([0-9a-f]{8}|[0-9a-f]{17})$`)

// decodeID parses an ID of the prefix: ok is false when it is malformed;
// id is 0 when it is well formed but names nothing the simulator made.
func decodeID(prefix, s string) (id int64, ok bool) {
	m := idForm.FindStringSubmatch(s)
	if m == nil || m[1] != prefix {
		return 0, false
	}
	if len(m[2]) != 17 || m[2][0] != '0' {
		return 0, true
	}
	x, err := strconv.ParseUint(m[2][1:], 16, 64)
	if err != nil {
		return 0, true
	}
	v := int64((x * idInv) ^ salts[prefix])
	if v <= 0 {
		return 0, true
	}
	return v, true
}

// malformedID is EC2's answer to an ID that is not of the form prefix-hex.
func malformedID(code, id, prefix string) *apiError {
	return apiErr(code, fmt.Sprintf("Invalid id: %q (expecting %q)", id, prefix+"-..."))
}

// InstanceID is the EC2 ID of the world's machine id, for tests that
// name machines as the API does.
func InstanceID(id int64) string { return encodeID("i", id) }

// ImageID is the EC2 ID of the world's image id.
func ImageID(id int64) string { return encodeID("ami", id) }
