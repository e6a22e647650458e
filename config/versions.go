package config

// The lists of allowed values, kept in one place (STACK_SPEC C3, C4).

// The Kubernetes minors and every version pinned for them live in the catalogue
// (catalogue/versions.json, STACK_SPEC L1); which of them a stack may use depends on the day (L2).

// UpgradeSupportTypes are the EKS upgrade policies (UpgradePolicy.SupportType of CreateCluster).
var UpgradeSupportTypes = []string{"STANDARD", "EXTENDED"}

// LogRetentionDays are the values CloudWatch Logs accepts for retentionInDays (PutRetentionPolicy).
var LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// InterfaceEndpointServices are the services that may get an interface VPC endpoint: those a
// private EKS node or the platform's controllers call.
var InterfaceEndpointServices = []string{
	"autoscaling", "ebs", "ec2", "ec2messages", "ecr.api", "ecr.dkr", "eks", "eks-auth",
	"elasticloadbalancing", "kms", "logs", "monitoring", "secretsmanager", "ssm", "ssmmessages", "sts",
}

// PodSecurityLevels allowed for workload namespaces. "privileged" is not: only the log shipper's
// own namespace runs privileged, and it says so in code (S4).
var PodSecurityLevels = []string{"baseline", "restricted"}

// CapacityTypes of an EKS managed node group.
var CapacityTypes = []string{"ON_DEMAND", "SPOT"}

// ReservedNamespaces cannot be workload namespaces: Kubernetes and the platform own them.
var ReservedNamespaces = []string{
	"default", "kube-system", "kube-public", "kube-node-lease",
	"amazon-cloudwatch", "logging", "external-secrets", "velero",
}

// Limits of AWS that a stack file can exceed, checked before anything is created (C4). Read
// 2026-12-01.
const (
	// NvidiaOsSnapshotGiB is the OS volume snapshot of the Bottlerocket NVIDIA AMIs the gpu group
	// runs (2 GiB for the plain variant). EC2 refuses a launch template volume smaller than its
	// snapshot: "InvalidBlockDeviceMapping: Volume of size 3GB is smaller than snapshot ...,
	// expect size >= 4GB" (github.com/aws/karpenter-provider-aws pull 2400).
	NvidiaOsSnapshotGiB = 4
	// MaxPublicAccessCidrs is EKS's quota "Public endpoint access CIDR ranges per cluster", not
	// adjustable (docs.aws.amazon.com/eks/latest/userguide/service-quotas.html).
	MaxPublicAccessCidrs = 40
)
