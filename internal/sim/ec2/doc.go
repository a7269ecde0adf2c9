// Package ec2sim is the simulator's AWS EC2 API front end (cloud "aws",
// alias "ec2"), served at the root of a listener of its own: aws-sdk-go-v2
// POSTs every call to / of its BaseEndpoint, in the Query protocol
// (Action=<Op>&Version=2016-11-15, lists flattened as InstanceId.1,
// Filter.1.Name, Filter.1.Value.1, TagSpecification.1.Tag.1.Key, ...), and
// decodes XML answers. It translates requests into world operations and
// world state into that wire format: the world's phases become instance
// states (pending/0, running/16, shutting-down/32, terminated/48,
// stopping/64, stopped/80) and image states (pending, available, failed)
// here, and nowhere else. The world keeps no EC2 words.
//
// # Wire format
//
// Handler reads the form (body, then query) for the Action and hands the
// pipeline a request whose path names it, so request counts, scripted
// faults (sim.Fault{Path: "RunInstances"}, or "Describe*") and rate limits
// all go by action. Every answer is text/xml;charset=UTF-8 with an
// x-amzn-requestid header. A success is <OpResponse
// xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"> with <requestId> first,
// lowerCamel children, lists as <item> elements and times as
// 2026-08-01T10:00:00.000Z. An error is
// <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
// (RequestID, capital ID, as ec2query reads it): 400 for validation and
// unknown resources (InvalidInstanceID.NotFound / .Malformed,
// InvalidAMIID.NotFound / .Malformed, InvalidKeyPair.NotFound / .Duplicate,
// InvalidSnapshot.NotFound / .InUse, InvalidSnapshotID.Malformed,
// InvalidAMIName.Duplicate, IncorrectInstanceState, InvalidParameterValue,
// InvalidParameterCombination, MissingParameter, InvalidPaginationToken,
// IdempotentParameterMismatch, Unsupported, InvalidInstanceType,
// InvalidSubnetID.NotFound, InvalidAction, MissingAction), 401 AuthFailure,
// 403 UnauthorizedOperation (deregistering or tagging a public AMI), 412
// DryRunOperation for DryRun=true, 503 RequestLimitExceeded for
// throttling, 500 InternalError and 503 Unavailable for server faults.
//
// # Auth, accounts and regions
//
// The SigV4 Authorization header (or a presigned X-Amz-Credential) is
// parsed, never verified: Credential=<AKID>/<yyyymmdd>/<region>/ec2/aws4_request.
// The AKID is the pipeline's token, so sim.Options.Tokens is an allow-list
// of access key IDs (empty = any); a missing or unparsable header, or a
// region the catalogue lacks, is 401 AuthFailure. A 12-digit AKID is the
// account ID (ownerId, imageOwnerId), any other 000000000000. Every
// request acts in its scope's region: instances, AMIs and snapshots of
// other regions don't exist for it. There is one account's worth of state:
// the account ID only changes how it is reported. Key pairs are global.
//
// # Actions
//
// RunInstances (MinCount = MaxCount = 1 only; ImageId, InstanceType,
// KeyName, base64 UserData, ClientToken, TagSpecification for instance,
// volume and network-interface tags ignored, SubnetId), DescribeInstances
// (InstanceId.N, Filter.N, MaxResults 5-1000 and not with InstanceId.N,
// NextToken; one reservation per instance), TerminateInstances,
// StopInstances, StartInstances, ModifyInstanceAttribute (InstanceType.Value
// of a stopped instance, at once), CreateTags and DeleteTags (instances,
// own AMIs, snapshots, key pairs; a key without a value deletes whatever
// value), CreateImage, DescribeImages (ImageId.N, Owner.N self, an account
// ID or amazon (no Amazon-owned AMI is seeded), Filter.N, MaxResults/NextToken), DeregisterImage
// (DeleteAssociatedSnapshots), DeleteSnapshot, DescribeSnapshots,
// ImportKeyPair, DescribeKeyPairs, DeleteKeyPair, DescribeRegions,
// DescribeAvailabilityZones, DescribeInstanceTypes, DescribeInstanceTypeOfferings,
// DescribeVpcs and DescribeSubnets. Filter values are OR-ed within a
// filter and filters AND-ed, with * and ? wildcards; tag:<key>, tag-key
// and tag-value work everywhere; an unknown or nameless filter is
// InvalidParameterValue. NextToken is opaque (the last ID of the page
// before); one that was not handed out is InvalidPaginationToken.
//
// IDs are the prefix (i-, ami-, snap-, r-, key-, vol-, vpc-, subnet-,
// sg-), "0" and 16 hex digits: a salted bijection of the world's integer
// IDs, so an ID not of the form prefix-hex{8|17} is *.Malformed and a
// well-formed one the simulator never made is *.NotFound.
//
// # Lifecycle
//
// A new instance is pending with its private IPv4 (in its zone's default
// subnet of the default VPC 172.31.0.0/16, zone a unless SubnetId names
// another zone's default subnet) and no public one; after the server-ready
// delay it is running with a public IPv4 (198.18.0.0/15) and DNS names. A
// repeated ClientToken answers the original reservation in its state of
// now (terminated ones included); the same token with other parameters is
// IdempotentParameterMismatch. TerminateInstances answers shutting-down
// with the previous state; after the action delay the instance is
// terminated, and stays listed (by ID and in filtered lists unless
// filtered by instance-state-name) for an hour, then it is gone
// (InvalidInstanceID.NotFound). Stop goes stopping -> stopped, start
// pending -> running (each the action delay). CreateImage needs a running
// or stopped instance and a name unique among the account's AMIs of the
// region; the AMI is listed at once as pending and is available after the
// image delay, with an EBS snapshot (snap-..., tagged with the snapshot
// TagSpecification) in its blockDeviceMapping. DeregisterImage leaves the
// snapshot unless DeleteAssociatedSnapshots; DeleteSnapshot of one an AMI
// still uses is InvalidSnapshot.InUse.
//
// # Throttling and faults
//
// Each caller has a token bucket per class of action: Describe* 100,
// refilling 20 a second, every other action 50, refilling 5 a second. An
// empty bucket is 503 RequestLimitExceeded, with no rate-limit headers.
// sim.Options.RateLimit > 0 replaces them with one bucket of that size
// refilled 1/s for all actions; < 0 never refuses. Random and scripted
// faults come from the shared pipeline, before any change (or After): a
// 429 fault is 503 RequestLimitExceeded unless it names a code of its own
// (then it is a bare 429 with that code), 5xx faults are 500 InternalError
// or 503 Unavailable (502 and 504 keep their status with InternalError).
// "action:<Action>" faults fail the world action an EC2 action starts
// ("action:CreateImage" leaves the AMI failed; a failed RunInstances
// leaves the instance stopped).
//
// # Catalogue
//
// catalog.go: us-east-1, us-east-2, us-west-2, eu-central-1, eu-west-1 and
// ap-southeast-1, zones a-c each; t3.micro-t3.large, t4g.micro-t4g.medium,
// m7i.large, m7g.large (not in ap-southeast-1) and c7i.large, EBS-only,
// with vCPUs, memory and architecture (x86_64 or arm64) from
// DescribeInstanceTypes; and, in every region with IDs of its own, public
// AMIs of Canonical (099720109477: ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-{amd64,arm64}-server-YYYYMMDD,
// ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-...-server-YYYYMMDD) and Debian
// (136693071363: debian-{12,13}-{amd64,arm64}-YYYYMMDD-NNNN), two builds
// each.
package ec2sim
