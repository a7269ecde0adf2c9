package ec2sim

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

func keyType(pub string) string {
	if strings.HasPrefix(pub, "ssh-ed25519") {
		return "ed25519"
	}
	return "rsa"
}

var keyFilters = knownFilters("key-name", "fingerprint", "key-pair-id", "key-type")

func (f *fe) describeKeyPairs(c *call) ([]*node, error) {
	fs, err := c.filters(keyFilters)
	if err != nil {
		return nil, err
	}
	names, ids := c.list("KeyName"), c.list("KeyPairId")
	var all []*world.SSHKey
	for _, n := range names {
		k := f.w.SSHKeyByName(Name, n)
		if k == nil {
			return nil, apiErr("InvalidKeyPair.NotFound", fmt.Sprintf("The key pair '%s' does not exist", n))
		}
		all = append(all, k)
	}
	for _, id := range ids {
		n, ok := decodeID("key", id)
		if !ok {
			return nil, malformedID("InvalidKeyPairId.Malformed", id, "key")
		}
		k := f.w.SSHKeyOf(Name, n)
		if k == nil {
			return nil, apiErr("InvalidKeyPair.NotFound", fmt.Sprintf("The key pair '%s' does not exist", id))
		}
		all = append(all, k)
	}
	if len(names)+len(ids) == 0 {
		all = f.w.SSHKeysOf(Name)
	}
	var out []*node
	for _, k := range all {
		fields := func(name string) []string {
			switch name {
			case "key-name":
				return []string{k.Name}
			case "fingerprint":
				return []string{k.Fingerprint}
			case "key-pair-id":
				return []string{encodeID("key", k.ID)}
			case "key-type":
				return []string{keyType(k.PublicKey)}
			}
			return nil
		}
		if !matches(fs, fields, k.Labels) {
			continue
		}
		var pub *node
		if c.bool("IncludePublicKey") {
			pub = tx("publicKey", k.PublicKey)
		}
		out = append(out, item(tx("keyPairId", encodeID("key", k.ID)), tx("keyName", k.Name), tx("keyFingerprint", k.Fingerprint),
			tx("keyType", keyType(k.PublicKey)), tagSet(k.Labels), tt("createTime", k.Created), pub))
	}
	return []*node{items("keySet", out)}, nil
}

// importKeyPair stores PublicKeyMaterial (base64 of an OpenSSH public key
// line: the SDK encodes the bytes). Its fingerprint is the key's MD5, in
// the colon-separated form.
func (f *fe) importKeyPair(c *call) ([]*node, error) {
	name := c.get("KeyName")
	if name == "" {
		return nil, missing("KeyName")
	}
	if len(name) > 255 {
		return nil, invalidValue("Key names are at most 255 characters")
	}
	material := c.get("PublicKeyMaterial")
	if material == "" {
		return nil, missing("PublicKeyMaterial")
	}
	raw, err := base64.StdEncoding.DecodeString(material)
	if err != nil {
		return nil, invalidValue("Value for parameter PublicKeyMaterial is invalid: it must be base64 encoded.")
	}
	pub := strings.TrimSpace(string(raw))
	fp, err := world.ParsePublicKey(pub)
	if err != nil {
		return nil, invalidValue("Key is not in valid OpenSSH public key format: " + err.Error())
	}
	if f.w.SSHKeyByName(Name, name) != nil {
		return nil, apiErr("InvalidKeyPair.Duplicate", fmt.Sprintf("The keypair '%s' already exists.", name))
	}
	specs, err := c.tagSpecs("key-pair")
	if err != nil {
		return nil, err
	}
	k := &world.SSHKey{ID: f.w.NewID(), Cloud: Name, Name: name, Fingerprint: fp, PublicKey: pub,
		Labels: world.CloneLabels(specs["key-pair"]), Created: c.Now}
	f.w.SSHKeys[k.ID] = k
	return []*node{tx("keyFingerprint", fp), tx("keyName", name), tx("keyPairId", encodeID("key", k.ID)), tagSet(k.Labels)}, nil
}

// deleteKeyPair deletes by KeyName or KeyPairId; an unknown name succeeds,
// as on EC2.
func (f *fe) deleteKeyPair(c *call) ([]*node, error) {
	var k *world.SSHKey
	switch {
	case c.get("KeyPairId") != "":
		id := c.get("KeyPairId")
		n, ok := decodeID("key", id)
		if !ok {
			return nil, malformedID("InvalidKeyPairId.Malformed", id, "key")
		}
		if k = f.w.SSHKeyOf(Name, n); k == nil {
			return nil, apiErr("InvalidKeyPair.NotFound", fmt.Sprintf("The key pair '%s' does not exist", id))
		}
	case c.get("KeyName") != "":
		k = f.w.SSHKeyByName(Name, c.get("KeyName"))
	default:
		return nil, missing("KeyName")
	}
	kids := []*node{tb("return", true)}
	if k != nil {
		delete(f.w.SSHKeys, k.ID)
		kids = append(kids, tx("keyPairId", encodeID("key", k.ID)))
	}
	return kids, nil
}

func (f *fe) describeRegions(c *call) ([]*node, error) {
	fs, err := c.filters(knownFilters("region-name", "endpoint", "opt-in-status"))
	if err != nil {
		return nil, err
	}
	names := c.list("RegionName")
	for _, n := range names {
		if _, r := seedRegion(n); r == nil {
			return nil, apiErr("InvalidParameterValue", fmt.Sprintf("Invalid region: %s", n))
		}
	}
	var out []*node
	for _, r := range regions {
		if len(names) > 0 && !slices.Contains(names, r.name) {
			continue
		}
		endpoint := "ec2." + r.name + ".amazonaws.com"
		fields := func(name string) []string {
			switch name {
			case "region-name":
				return []string{r.name}
			case "endpoint":
				return []string{endpoint}
			case "opt-in-status":
				return []string{"opt-in-not-required"}
			}
			return nil
		}
		if matches(fs, fields, nil) {
			out = append(out, item(tx("regionName", r.name), tx("regionEndpoint", endpoint), tx("optInStatus", "opt-in-not-required")))
		}
	}
	return []*node{items("regionInfo", out)}, nil
}

func (f *fe) describeAvailabilityZones(c *call) ([]*node, error) {
	fs, err := c.filters(knownFilters("zone-name", "zone-id", "region-name", "state", "zone-type", "group-name"))
	if err != nil {
		return nil, err
	}
	names, ids := c.list("ZoneName"), c.list("ZoneId")
	var out []*node
	for _, s := range subnets(c.region) {
		if (len(names) > 0 || len(ids) > 0) && !slices.Contains(names, s.zone) && !slices.Contains(ids, s.zoneID) {
			continue
		}
		fields := func(name string) []string {
			switch name {
			case "zone-name":
				return []string{s.zone}
			case "zone-id":
				return []string{s.zoneID}
			case "region-name", "group-name":
				return []string{c.region}
			case "state":
				return []string{"available"}
			case "zone-type":
				return []string{"availability-zone"}
			}
			return nil
		}
		if matches(fs, fields, nil) {
			out = append(out, item(tx("zoneName", s.zone), tx("zoneId", s.zoneID), tx("zoneState", "available"),
				tx("regionName", c.region), tx("groupName", c.region), tx("networkBorderGroup", c.region),
				tx("optInStatus", "opt-in-not-required"), tx("zoneType", "availability-zone"), el("messageSet")))
		}
	}
	return []*node{items("availabilityZoneInfo", out)}, nil
}

// describeInstanceTypes lists the types offered in the caller's region, or
// the InstanceType.N named (offered here or not).
func (f *fe) describeInstanceTypes(c *call) ([]*node, error) {
	fs, err := c.filters(knownFilters("instance-type", "processor-info.supported-architecture", "current-generation",
		"vcpu-info.default-vcpus", "memory-info.size-in-mib", "burstable-performance-supported", "instance-storage-supported"))
	if err != nil {
		return nil, err
	}
	cat := f.w.Catalog(Name)
	named := c.list("InstanceType")
	var unknown []string
	for _, n := range named {
		if cat.Size(n) == nil {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return nil, apiErr("InvalidInstanceType", fmt.Sprintf("The following supplied instance types do not exist: [%s]", strings.Join(unknown, ", ")))
	}
	var kept []*world.Size
	for i := range cat.Sizes {
		s := &cat.Sizes[i]
		if len(named) > 0 && !slices.Contains(named, s.Name) || len(named) == 0 && !s.Orderable(c.region, c.Now) {
			continue
		}
		t := seedType(s.Name)
		fields := func(name string) []string {
			switch name {
			case "instance-type":
				return []string{s.Name}
			case "processor-info.supported-architecture":
				return []string{ec2Arch(s.Arch)}
			case "current-generation":
				return []string{"true"}
			case "vcpu-info.default-vcpus":
				return []string{strconv.Itoa(s.Cores)}
			case "memory-info.size-in-mib":
				return []string{strconv.Itoa(int(s.MemoryGB * 1024))}
			case "burstable-performance-supported":
				return []string{strconv.FormatBool(t != nil && t.burstable)}
			case "instance-storage-supported":
				return []string{"false"}
			}
			return nil
		}
		if matches(fs, fields, nil) {
			kept = append(kept, s)
		}
	}
	pg, next, err := page(c, kept, func(s *world.Size) int64 { return s.ID }, 5, 100, "")
	if err != nil {
		return nil, err
	}
	var out []*node
	for _, s := range pg {
		t := seedType(s.Name)
		burst, ghz := false, 3.0
		if t != nil {
			burst, ghz = t.burstable, t.clockGHz
		}
		out = append(out, item(
			tx("instanceType", s.Name),
			tb("currentGeneration", true),
			tb("freeTierEligible", s.Name == "t3.micro" || s.Name == "t4g.micro"),
			strItems("supportedUsageClasses", "on-demand", "spot"),
			strItems("supportedRootDeviceTypes", "ebs"),
			strItems("supportedVirtualizationTypes", "hvm"),
			tb("bareMetal", false),
			tx("hypervisor", "nitro"),
			el("processorInfo", strItems("supportedArchitectures", ec2Arch(s.Arch)), tx("sustainedClockSpeedInGhz", strconv.FormatFloat(ghz, 'f', 1, 64))),
			el("vCpuInfo", ti("defaultVCpus", s.Cores), ti("defaultCores", max(1, s.Cores/2)), ti("defaultThreadsPerCore", 2)),
			el("memoryInfo", ti("sizeInMiB", int(s.MemoryGB*1024))),
			tb("instanceStorageSupported", false),
			el("ebsInfo", tx("ebsOptimizedSupport", "default"), tx("encryptionSupport", "supported"), tx("nvmeSupport", "required")),
			el("networkInfo", tx("networkPerformance", "Up to 5 Gigabit"), ti("maximumNetworkInterfaces", 3), tx("ipv6Supported", "true"), tx("enaSupport", "required")),
			tb("burstablePerformanceSupported", burst),
			tb("hibernationSupported", true),
			strItems("supportedBootModes", "legacy-bios", "uefi"),
		))
	}
	return []*node{items("instanceTypeSet", out), opt("nextToken", next)}, nil
}

type offering struct {
	id           int64
	typ, locType string
	location     string
}

func (f *fe) describeInstanceTypeOfferings(c *call) ([]*node, error) {
	fs, err := c.filters(knownFilters("instance-type", "location"))
	if err != nil {
		return nil, err
	}
	lt := c.get("LocationType")
	if lt == "" {
		lt = "region"
	}
	if lt != "region" && lt != "availability-zone" && lt != "availability-zone-id" {
		return nil, invalidValue(fmt.Sprintf("Value (%s) for parameter locationType is invalid. Valid values: region, availability-zone, availability-zone-id", lt))
	}
	var all []offering
	cat := f.w.Catalog(Name)
	for i := range cat.Sizes {
		s := &cat.Sizes[i]
		if !s.Orderable(c.region, c.Now) {
			continue
		}
		switch lt {
		case "region":
			all = append(all, offering{id: s.ID * 10, typ: s.Name, locType: lt, location: c.region})
		default:
			for zi, sn := range subnets(c.region) {
				loc := sn.zone
				if lt == "availability-zone-id" {
					loc = sn.zoneID
				}
				all = append(all, offering{id: s.ID*10 + int64(zi+1), typ: s.Name, locType: lt, location: loc})
			}
		}
	}
	var kept []offering
	for _, o := range all {
		fields := func(name string) []string {
			if name == "instance-type" {
				return []string{o.typ}
			}
			return []string{o.location}
		}
		if matches(fs, fields, nil) {
			kept = append(kept, o)
		}
	}
	pg, next, err := page(c, kept, func(o offering) int64 { return o.id }, 5, 1000, "")
	if err != nil {
		return nil, err
	}
	var out []*node
	for _, o := range pg {
		out = append(out, item(tx("instanceType", o.typ), tx("locationType", o.locType), tx("location", o.location)))
	}
	return []*node{items("instanceTypeOfferingSet", out), opt("nextToken", next)}, nil
}

func (f *fe) describeVpcs(c *call) ([]*node, error) {
	fs, err := c.filters(knownFilters("vpc-id", "is-default", "state", "cidr", "owner-id"))
	if err != nil {
		return nil, err
	}
	id := vpcID(regionIndex(c.region))
	for _, v := range c.list("VpcId") {
		if _, ok := decodeID("vpc", v); !ok {
			return nil, malformedID("InvalidVpcID.Malformed", v, "vpc")
		}
		if v != id {
			return nil, apiErr("InvalidVpcID.NotFound", fmt.Sprintf("The vpc ID '%s' does not exist", v))
		}
	}
	fields := func(name string) []string {
		switch name {
		case "vpc-id":
			return []string{id}
		case "is-default":
			return []string{"true"}
		case "state":
			return []string{"available"}
		case "cidr":
			return []string{"172.31.0.0/16"}
		case "owner-id":
			return []string{c.account}
		}
		return nil
	}
	var out []*node
	if matches(fs, fields, nil) {
		out = append(out, item(tx("vpcId", id), tx("ownerId", c.account), tx("state", "available"), tx("cidrBlock", "172.31.0.0/16"),
			items("cidrBlockAssociationSet", []*node{item(tx("cidrBlock", "172.31.0.0/16"), el("cidrBlockState", tx("state", "associated")))}),
			tx("dhcpOptionsId", "dopt-0"+strings.TrimPrefix(id, "vpc-0")[:16]), tx("instanceTenancy", "default"), tb("isDefault", true)))
	}
	return []*node{items("vpcSet", out)}, nil
}

func (f *fe) describeSubnets(c *call) ([]*node, error) {
	fs, err := c.filters(knownFilters("subnet-id", "vpc-id", "availability-zone", "availability-zone-id", "default-for-az",
		"state", "cidr-block", "map-public-ip-on-launch", "owner-id"))
	if err != nil {
		return nil, err
	}
	all := subnets(c.region)
	want := c.list("SubnetId")
	for _, v := range want {
		if _, ok := decodeID("subnet", v); !ok {
			return nil, malformedID("InvalidSubnetID.Malformed", v, "subnet")
		}
		if !slices.ContainsFunc(all, func(s subnet) bool { return s.id == v }) {
			return nil, apiErr("InvalidSubnetID.NotFound", fmt.Sprintf("The subnet ID '%s' does not exist", v))
		}
	}
	var out []*node
	for _, s := range all {
		if len(want) > 0 && !slices.Contains(want, s.id) {
			continue
		}
		fields := func(name string) []string {
			switch name {
			case "subnet-id":
				return []string{s.id}
			case "vpc-id":
				return []string{s.vpc}
			case "availability-zone":
				return []string{s.zone}
			case "availability-zone-id":
				return []string{s.zoneID}
			case "default-for-az", "map-public-ip-on-launch":
				return []string{"true"}
			case "state":
				return []string{"available"}
			case "cidr-block":
				return []string{s.cidr}
			case "owner-id":
				return []string{c.account}
			}
			return nil
		}
		if matches(fs, fields, nil) {
			out = append(out, item(tx("subnetId", s.id), tx("subnetArn", fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", c.region, c.account, s.id)),
				tx("state", "available"), tx("vpcId", s.vpc), tx("ownerId", c.account), tx("cidrBlock", s.cidr),
				ti("availableIpAddressCount", 4091), tx("availabilityZone", s.zone), tx("availabilityZoneId", s.zoneID),
				tb("defaultForAz", true), tb("mapPublicIpOnLaunch", true), tb("assignIpv6AddressOnCreation", false)))
		}
	}
	return []*node{items("subnetSet", out)}, nil
}
