// Package aws is the AWS EC2 plug-in: framework.Provider over
// aws-sdk-go-v2 (config, service/ec2), with no hand-written HTTP.
//
// Choices:
//
//   - Credentials: the provider block's token, when set, is static keys
//     "ACCESS_KEY_ID:SECRET_ACCESS_KEY" (or with ":SESSION_TOKEN"); else
//     the SDK's standard chain (environment, shared config and credentials
//     files with the profile setting or AWS_PROFILE, SSO, web identity,
//     container and instance roles). The region setting (or AWS_REGION,
//     AWS_DEFAULT_REGION; us-east-1 when none) is where calls that name no
//     region go: SSH keys and the catalogue's images.
//   - IDs say their region: "<region>/<id>", e.g.
//     "eu-central-1/i-0123456789abcdef0" and "eu-central-1/ami-…", so read,
//     import and delete go to one region and never scan every region. One
//     EC2 client per region, made on first use and kept.
//   - Retries: the SDK's retryer is aws.NopRetryer (no retries, no retry
//     quota): the framework's policy rules. A create's ClientToken is
//     derived from its request ID, so a retried RunInstances never launches
//     twice; the request ID is also a tag, for adoption.
//   - Names are the Name tag, not unique on EC2: a create first looks the
//     name up among the managed instances and refuses a taken one under
//     "name", so the framework adopts its own or reports the ID to import.
//   - Labels are tags 1:1 (key ≤ 128, value ≤ 256 characters, no "aws:"
//     prefix). Terminated and shutting-down instances are gone.
//   - Images: Ubuntu from Canonical (099720109477) and Debian from Debian
//     (136693071363), newest by creation date, cached per region and
//     architecture (the instance type's).
//   - Snapshots are AMIs (CreateImage, tagged at creation, so that a start
//     whose answer was lost is adopted by its request ID); delete
//     deregisters the AMI with its EBS snapshots.
//   - Waits: the framework's batched watchers, one DescribeInstances per
//     region for every machine waited for there.
package aws
