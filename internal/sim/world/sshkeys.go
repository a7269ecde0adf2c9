package world

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// sshKeyTypes are the public key algorithms the clouds accept.
var sshKeyTypes = map[string]bool{
	"ssh-rsa":                            true,
	"ssh-dss":                            true,
	"ssh-ed25519":                        true,
	"ecdsa-sha2-nistp256":                true,
	"ecdsa-sha2-nistp384":                true,
	"ecdsa-sha2-nistp521":                true,
	"sk-ssh-ed25519@openssh.com":         true,
	"sk-ecdsa-sha2-nistp256@openssh.com": true,
}

// ParsePublicKey checks an authorized_keys line ("type base64 [comment]")
// and returns its legacy MD5 fingerprint ("aa:bb:..."), the format both
// Hetzner and DigitalOcean show. The check is structural: the blob must
// name the same algorithm as the line and consist of length-prefixed fields
// only. It does not verify the key material mathematically.
func ParsePublicKey(line string) (fingerprint string, err error) {
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return "", errors.New("expected \"<type> <base64 key> [comment]\"")
	}
	typ := fields[0]
	if !sshKeyTypes[typ] {
		return "", fmt.Errorf("unsupported key type %q", typ)
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return "", errors.New("key data is not valid base64")
	}
	parts, ok := splitSSHStrings(blob)
	if !ok || len(parts) < 2 || string(parts[0]) != typ {
		return "", errors.New("key data is malformed")
	}
	if typ == "ssh-ed25519" && len(parts[1]) != 32 {
		return "", errors.New("ed25519 key must be 32 bytes")
	}
	sum := md5.Sum(blob)
	hex := make([]string, len(sum))
	for i, b := range sum {
		hex[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(hex, ":"), nil
}

// splitSSHStrings splits an SSH wire blob into its uint32-length-prefixed
// fields; ok is false unless the fields cover the blob exactly.
func splitSSHStrings(b []byte) (parts [][]byte, ok bool) {
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, false
		}
		n := binary.BigEndian.Uint32(b)
		b = b[4:]
		if uint64(n) > uint64(len(b)) {
			return nil, false
		}
		parts = append(parts, b[:n])
		b = b[n:]
	}
	return parts, true
}
