package ec2sim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

type handler func(f *fe, c *call) ([]*node, error)

// handlers are the actions served, by name.
var handlers = map[string]handler{
	"RunInstances":                  (*fe).runInstances,
	"DescribeInstances":             (*fe).describeInstances,
	"TerminateInstances":            (*fe).terminateInstances,
	"StopInstances":                 (*fe).stopInstances,
	"StartInstances":                (*fe).startInstances,
	"ModifyInstanceAttribute":       (*fe).modifyInstanceAttribute,
	"CreateTags":                    (*fe).createTags,
	"DeleteTags":                    (*fe).deleteTags,
	"CreateImage":                   (*fe).createImage,
	"DescribeImages":                (*fe).describeImages,
	"DeregisterImage":               (*fe).deregisterImage,
	"DeleteSnapshot":                (*fe).deleteSnapshot,
	"DescribeSnapshots":             (*fe).describeSnapshots,
	"DescribeKeyPairs":              (*fe).describeKeyPairs,
	"ImportKeyPair":                 (*fe).importKeyPair,
	"DeleteKeyPair":                 (*fe).deleteKeyPair,
	"DescribeRegions":               (*fe).describeRegions,
	"DescribeAvailabilityZones":     (*fe).describeAvailabilityZones,
	"DescribeInstanceTypes":         (*fe).describeInstanceTypes,
	"DescribeInstanceTypeOfferings": (*fe).describeInstanceTypeOfferings,
	"DescribeVpcs":                  (*fe).describeVpcs,
	"DescribeSubnets":               (*fe).describeSubnets,
}

// maxUserData is EC2's limit on user data, before base64.
const maxUserData = 16 << 10

// rootVolumeGB is the root volume of every instance: the seeded AMIs' 8 GiB.
const rootVolumeGB = 8

func (f *fe) runInstances(c *call) ([]*node, error) {
	w := f.w
	if c.get("MinCount") == "" {
		return nil, missing("MinCount")
	}
	if c.get("MaxCount") == "" {
		return nil, missing("MaxCount")
	}
	if c.get("MinCount") != "1" || c.get("MaxCount") != "1" {
		return nil, invalidValue("The simulator launches one instance per call: MinCount and MaxCount must both be 1.")
	}
	token := c.get("ClientToken")
	if len(token) > 64 {
		return nil, invalidValue("Value for parameter ClientToken is invalid: it must be at most 64 ASCII characters.")
	}
	key := "" // ClientTokens are per region
	if token != "" {
		key = c.region + "/" + token
	}
	digest := requestDigest(c)
	if m := w.Idempotent(Name, key); m != nil {
		if m.RequestDigest != digest {
			return nil, apiErr("IdempotentParameterMismatch",
				"Arguments on this idempotent request are inconsistent with arguments used in previous request(s).")
		}
		return f.reservation(c, m), nil
	}
	amiID := c.get("ImageId")
	if amiID == "" {
		return nil, missing("ImageId")
	}
	img, err := f.findImage(c, amiID)
	if err != nil {
		return nil, err
	}
	if w.ImageState(img, c.Now) != world.ImageAvailable {
		return nil, apiErr("InvalidAMIID.Unavailable", fmt.Sprintf("The image id '[%s]' is not available", amiID))
	}
	typ := c.get("InstanceType")
	if typ == "" {
		return nil, missing("InstanceType")
	}
	size := w.Catalog(Name).Size(typ)
	if size == nil {
		return nil, invalidValue(fmt.Sprintf("Invalid value '%s' for InstanceType.", typ))
	}
	sn, err := f.launchSubnet(c)
	if err != nil {
		return nil, err
	}
	if !size.Orderable(c.region, c.Now) {
		return nil, apiErr("Unsupported", fmt.Sprintf(
			"Your requested instance type (%s) is not supported in your requested Availability Zone (%s). Please retry your request by choosing a region that offers it (see DescribeInstanceTypeOfferings).", typ, sn.zone))
	}
	if size.Arch != img.Arch {
		return nil, invalidValue(fmt.Sprintf("The architecture '%s' of the specified instance type does not match the architecture '%s' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again.",
			ec2Arch(size.Arch), ec2Arch(img.Arch)))
	}
	var keys []int64
	if kn := c.get("KeyName"); kn != "" {
		k := w.SSHKeyByName(Name, kn)
		if k == nil {
			return nil, apiErr("InvalidKeyPair.NotFound", fmt.Sprintf("The key pair '%s' does not exist", kn))
		}
		keys = []int64{k.ID}
	}
	var userData string
	if ud := c.get("UserData"); ud != "" {
		b, err := base64.StdEncoding.DecodeString(ud)
		if err != nil {
			return nil, invalidValue("Invalid BASE64 encoding of user data.")
		}
		if len(b) > maxUserData {
			return nil, invalidValue(fmt.Sprintf("User data is limited to %d bytes", maxUserData))
		}
		userData = string(b)
	}
	specs, err := c.tagSpecs("instance", "volume", "network-interface")
	if err != nil {
		return nil, err
	}
	labels := world.CloneLabels(specs["instance"])
	m, _, _ := w.CreateMachine(world.MachineSpec{
		Cloud: Name, Name: labels["Name"], Region: c.region, Zone: sn.zone, Size: size.Name, DiskGB: rootVolumeGB,
		ImageID: img.ID, Labels: labels, UserData: userData, SSHKeys: keys, Start: true, IPv4: true,
		IdempotencyKey: key, RequestDigest: digest,
	}, c.Now)
	return f.reservation(c, m), nil
}

// requestDigest is a digest of a RunInstances request's parameters but the
// ClientToken: a repeated token with another digest is a mismatch.
func requestDigest(c *call) string {
	keys := make([]string, 0, len(c.p))
	for k := range c.p {
		if k != "ClientToken" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%q=%q\n", k, c.p[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// launchSubnet is SubnetId's default subnet, or the region's first.
func (f *fe) launchSubnet(c *call) (*subnet, error) {
	all := subnets(c.region)
	id := c.get("SubnetId")
	if id == "" {
		return &all[0], nil
	}
	if _, ok := decodeID("subnet", id); !ok {
		return nil, malformedID("InvalidSubnetID.Malformed", id, "subnet")
	}
	for i := range all {
		if all[i].id == id {
			return &all[i], nil
		}
	}
	return nil, apiErr("InvalidSubnetID.NotFound", fmt.Sprintf("The subnet ID '%s' does not exist", id))
}

// reservation is RunInstances' answer for m.
func (f *fe) reservation(c *call, m *world.Machine) []*node {
	return []*node{
		tx("reservationId", encodeID("r", m.ID)), tx("ownerId", c.account), el("groupSet"),
		items("instancesSet", []*node{f.instance(c, m)}),
	}
}

// privateIP is the instance's address in its zone's default subnet.
func privateIP(m *world.Machine) string {
	sn := subnetOfZone(m.Zone)
	if sn == nil {
		return ""
	}
	b := sn.base
	host := 4 + int(m.ID%4000) // the first four addresses of a subnet are AWS's
	b[2] += byte(host >> 8)
	b[3] = byte(host)
	return netip.AddrFrom4(b).String()
}

func privateDNS(region, ip string) string {
	h := "ip-" + strings.ReplaceAll(ip, ".", "-")
	if region == "us-east-1" {
		return h + ".ec2.internal"
	}
	return h + "." + region + ".compute.internal"
}

func publicDNS(region, ip string) string {
	h := "ec2-" + strings.ReplaceAll(ip, ".", "-")
	if region == "us-east-1" {
		return h + ".compute-1.amazonaws.com"
	}
	return h + "." + region + ".compute.amazonaws.com"
}

func rootDevice(img *world.Image) string {
	if img != nil && img.OSFlavor == "debian" {
		return "/dev/xvda"
	}
	return "/dev/sda1"
}

func stateNode(name string, s state) *node {
	return el(name, ti("code", s.code), tx("name", s.name))
}

// instance renders an instance <item>.
func (f *fe) instance(c *call, m *world.Machine) *node {
	w := f.w
	st := states[m.Phase]
	img := w.Images[m.ImageID]
	size := w.Catalog(Name).Size(m.Size)
	sn := subnetOfZone(m.Zone)
	gone := m.Phase == world.Gone
	var priv, privDNS, pub, pubDNS, subnetID, vpc string
	if !gone && sn != nil {
		priv = privateIP(m)
		privDNS = privateDNS(m.Region, priv)
		subnetID, vpc = sn.id, sn.vpc
	}
	if (m.Phase == world.Running || m.Phase == world.Stopping) && m.IPv4 != "" {
		pub, pubDNS = m.IPv4, publicDNS(m.Region, m.IPv4)
	}
	keyName := ""
	if len(m.SSHKeys) > 0 {
		if k := w.SSHKeys[m.SSHKeys[0]]; k != nil {
			keyName = k.Name
		}
	}
	arch := "x86"
	if size != nil {
		arch = size.Arch
	}
	var reason, stateReason *node
	switch {
	case m.CreateFailed:
		stateReason = el("stateReason", tx("code", "Server.InternalError"), tx("message", "Server.InternalError: Internal error on launch"))
		reason = tx("reason", "Server.InternalError: Internal error on launch")
	case m.Phase == world.Gone || m.Phase == world.Deleting:
		at := m.Deleted
		if at.IsZero() {
			at = c.Now
		}
		reason = tx("reason", fmt.Sprintf("User initiated (%s)", at.UTC().Format("2006-01-02 15:04:05 MST")))
		stateReason = el("stateReason", tx("code", "Client.UserInitiatedShutdown"), tx("message", "Client.UserInitiatedShutdown: User initiated shutdown"))
	case m.Phase == world.Off || m.Phase == world.Stopping:
		reason = tx("reason", "User initiated")
		stateReason = el("stateReason", tx("code", "Client.UserInitiatedShutdown"), tx("message", "Client.UserInitiatedShutdown: User initiated shutdown"))
	}
	var bdm *node
	if !gone {
		bdm = items("blockDeviceMapping", []*node{item(tx("deviceName", rootDevice(img)),
			el("ebs", tx("volumeId", encodeID("vol", m.ID)), tx("status", "attached"), tt("attachTime", m.Created),
				tb("deleteOnTermination", true)))})
	}
	groups := items("groupSet", []*node{item(tx("groupId", encodeID("sg", int64(regionIndex(m.Region)+1))), tx("groupName", "default"))})
	return item(
		tx("instanceId", encodeID("i", m.ID)),
		tx("imageId", encodeID("ami", m.ImageID)),
		stateNode("instanceState", st),
		tx("privateDnsName", privDNS),
		tx("dnsName", pubDNS),
		reason,
		opt("keyName", keyName),
		ti("amiLaunchIndex", 0),
		el("productCodes"),
		tx("instanceType", m.Size),
		tt("launchTime", m.Created),
		el("placement", tx("availabilityZone", m.Zone), tx("groupName", ""), tx("tenancy", "default")),
		el("monitoring", tx("state", "disabled")),
		opt("subnetId", subnetID),
		opt("vpcId", vpc),
		opt("privateIpAddress", priv),
		opt("ipAddress", pub),
		tb("sourceDestCheck", true),
		groups,
		stateReason,
		tx("architecture", ec2Arch(arch)),
		tx("rootDeviceType", "ebs"),
		tx("rootDeviceName", rootDevice(img)),
		bdm,
		tx("virtualizationType", "hvm"),
		opt("clientToken", idempotencyToken(m)),
		tagSet(m.Labels),
		tx("hypervisor", "xen"),
		tb("ebsOptimized", false),
		tb("enaSupport", true),
		el("cpuOptions", ti("coreCount", max(1, coresOf(size)/2)), ti("threadsPerCore", 2)),
		el("metadataOptions", tx("state", "applied"), tx("httpTokens", "required"), ti("httpPutResponseHopLimit", 2), tx("httpEndpoint", "enabled")),
		tx("platformDetails", "Linux/UNIX"),
		tx("usageOperation", "RunInstances"),
		tx("bootMode", "uefi-preferred"),
	)
}

func coresOf(s *world.Size) int {
	if s == nil {
		return 2
	}
	return s.Cores
}

// idempotencyToken is the ClientToken the instance was launched with.
func idempotencyToken(m *world.Machine) string {
	return strings.TrimPrefix(m.IdempotencyKey, m.Region+"/")
}

func regionIndex(name string) int {
	i, _ := seedRegion(name)
	return i
}

// findInstance resolves an instance ID of the caller's region (tombstones
// included).
func (f *fe) findInstance(c *call, id string) (*world.Machine, error) {
	n, ok := decodeID("i", id)
	if !ok {
		return nil, malformedID("InvalidInstanceID.Malformed", id, "i")
	}
	m := f.w.MachineOf(Name, n)
	if m == nil || m.Region != c.region {
		return nil, apiErr("InvalidInstanceID.NotFound", fmt.Sprintf("The instance ID '%s' does not exist", id))
	}
	return m, nil
}

// findInstances resolves InstanceId.N, naming every unknown ID at once as
// EC2 does.
func (f *fe) findInstances(c *call, required bool) ([]*world.Machine, error) {
	ids := c.list("InstanceId")
	if required && len(ids) == 0 {
		return nil, missing("InstanceId")
	}
	var out []*world.Machine
	var unknown []string
	for _, id := range ids {
		m, err := f.findInstance(c, id)
		if err != nil {
			if ae := (*apiError)(nil); errors.As(err, &ae) && ae.code == "InvalidInstanceID.NotFound" {
				unknown = append(unknown, id)
				continue
			}
			return nil, err
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	switch len(unknown) {
	case 0:
		return out, nil
	case 1:
		return nil, apiErr("InvalidInstanceID.NotFound", fmt.Sprintf("The instance ID '%s' does not exist", unknown[0]))
	default:
		return nil, apiErr("InvalidInstanceID.NotFound", fmt.Sprintf("The instance IDs '%s' do not exist", strings.Join(unknown, ", ")))
	}
}

var instanceFilters = knownFilters("instance-id", "instance-state-name", "instance-state-code", "instance-type",
	"image-id", "key-name", "availability-zone", "subnet-id", "vpc-id", "architecture", "private-ip-address",
	"ip-address", "reservation-id", "client-token", "root-device-type", "virtualization-type", "tenancy")

func (f *fe) instanceFields(m *world.Machine) func(string) []string {
	return func(name string) []string {
		st := states[m.Phase]
		switch name {
		case "instance-id":
			return []string{encodeID("i", m.ID)}
		case "instance-state-name":
			return []string{st.name}
		case "instance-state-code":
			return []string{strconv.Itoa(st.code)}
		case "instance-type":
			return []string{m.Size}
		case "image-id":
			return []string{encodeID("ami", m.ImageID)}
		case "key-name":
			if len(m.SSHKeys) > 0 && f.w.SSHKeys[m.SSHKeys[0]] != nil {
				return []string{f.w.SSHKeys[m.SSHKeys[0]].Name}
			}
		case "availability-zone":
			return []string{m.Zone}
		case "subnet-id", "vpc-id":
			if sn := subnetOfZone(m.Zone); sn != nil && m.Phase != world.Gone {
				if name == "vpc-id" {
					return []string{sn.vpc}
				}
				return []string{sn.id}
			}
		case "architecture":
			if s := f.w.Catalog(Name).Size(m.Size); s != nil {
				return []string{ec2Arch(s.Arch)}
			}
		case "private-ip-address":
			if m.Phase != world.Gone {
				return []string{privateIP(m)}
			}
		case "ip-address":
			if m.Phase == world.Running && m.IPv4 != "" {
				return []string{m.IPv4}
			}
		case "reservation-id":
			return []string{encodeID("r", m.ID)}
		case "client-token":
			return []string{idempotencyToken(m)}
		case "root-device-type":
			return []string{"ebs"}
		case "virtualization-type":
			return []string{"hvm"}
		case "tenancy":
			return []string{"default"}
		}
		return nil
	}
}

func (f *fe) describeInstances(c *call) ([]*node, error) {
	fs, err := c.filters(instanceFilters)
	if err != nil {
		return nil, err
	}
	var all []*world.Machine
	if len(c.indices("InstanceId")) > 0 {
		if all, err = f.findInstances(c, false); err != nil {
			return nil, err
		}
		slices.SortFunc(all, func(a, b *world.Machine) int { return int(a.ID - b.ID) })
	} else {
		for _, m := range f.w.MachinesOf(Name) {
			if m.Region == c.region {
				all = append(all, m)
			}
		}
	}
	var kept []*world.Machine
	for _, m := range all {
		if matches(fs, f.instanceFields(m), m.Labels) {
			kept = append(kept, m)
		}
	}
	pg, next, err := page(c, kept, func(m *world.Machine) int64 { return m.ID }, 5, 1000, "InstanceId")
	if err != nil {
		return nil, err
	}
	var res []*node
	for _, m := range pg {
		res = append(res, item(tx("reservationId", encodeID("r", m.ID)), tx("ownerId", c.account), el("groupSet"),
			items("instancesSet", []*node{f.instance(c, m)})))
	}
	return []*node{items("reservationSet", res), opt("nextToken", next)}, nil
}

// stateChange renders an <item> of a state change answer.
func stateChange(m *world.Machine, prev state) *node {
	return item(tx("instanceId", encodeID("i", m.ID)), stateNode("currentState", states[m.Phase]), stateNode("previousState", prev))
}

func (f *fe) terminateInstances(c *call) ([]*node, error) {
	ms, err := f.findInstances(c, true)
	if err != nil {
		return nil, err
	}
	var out []*node
	for _, m := range ms {
		prev := states[m.Phase]
		if m.Phase != world.Gone && m.Phase != world.Deleting {
			f.w.DeleteMachineSlowly(m, c.Now)
		}
		out = append(out, stateChange(m, prev))
	}
	return []*node{items("instancesSet", out)}, nil
}

func (f *fe) stopInstances(c *call) ([]*node, error) {
	ms, err := f.findInstances(c, true)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.Phase != world.Running && m.Phase != world.Stopping && m.Phase != world.Off {
			return nil, incorrectState(fmt.Sprintf("This instance '%s' is not in a state from which it can be stopped.", encodeID("i", m.ID)))
		}
	}
	var out []*node
	for _, m := range ms {
		prev := states[m.Phase]
		if m.Phase == world.Running {
			f.w.PowerAction(m, world.KindStop, world.Stopping, world.Off, c.Now)
		}
		out = append(out, stateChange(m, prev))
	}
	return []*node{items("instancesSet", out)}, nil
}

func (f *fe) startInstances(c *call) ([]*node, error) {
	ms, err := f.findInstances(c, true)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.Phase != world.Off && m.Phase != world.Running && m.Phase != world.Starting && m.Phase != world.Provisioning {
			return nil, incorrectState(fmt.Sprintf("The instance '%s' is not in a state from which it can be started.", encodeID("i", m.ID)))
		}
	}
	var out []*node
	for _, m := range ms {
		prev := states[m.Phase]
		if m.Phase == world.Off {
			f.w.PowerAction(m, world.KindStart, world.Starting, world.Running, c.Now)
		}
		out = append(out, stateChange(m, prev))
	}
	return []*node{items("instancesSet", out)}, nil
}

// modifyInstanceAttribute changes the instance type of a stopped
// instance, at once (InstanceType.Value, or Attribute=instanceType with
// Value).
func (f *fe) modifyInstanceAttribute(c *call) ([]*node, error) {
	id := c.get("InstanceId")
	if id == "" {
		return nil, missing("InstanceId")
	}
	m, err := f.findInstance(c, id)
	if err != nil {
		return nil, err
	}
	typ := c.get("InstanceType.Value")
	if typ == "" && c.get("Attribute") == "instanceType" {
		typ = c.get("Value")
	}
	if typ == "" {
		return nil, invalidValue("The simulator modifies only the instanceType attribute (InstanceType.Value).")
	}
	if m.Phase != world.Off {
		return nil, incorrectState(fmt.Sprintf("The instance '%s' is not in the 'stopped' state.", id))
	}
	size := f.w.Catalog(Name).Size(typ)
	if size == nil {
		return nil, invalidValue(fmt.Sprintf("Invalid value '%s' for InstanceType.", typ))
	}
	if !size.Orderable(m.Region, c.Now) {
		return nil, apiErr("Unsupported", fmt.Sprintf("The requested instance type (%s) is not supported in the instance's Availability Zone (%s).", typ, m.Zone))
	}
	if old := f.w.Catalog(Name).Size(m.Size); old != nil && old.Arch != size.Arch {
		return nil, invalidValue(fmt.Sprintf("The instance type '%s' (%s) does not match the architecture of the instance's AMI (%s).",
			typ, ec2Arch(size.Arch), ec2Arch(old.Arch)))
	}
	m.Size = size.Name
	return []*node{tb("return", true)}, nil
}
