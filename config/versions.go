package config

// The lists of allowed values, kept in one place (STACK_SPEC C3, C4).

// SupportedKubernetesVersions are the EKS versions this program is tested against. Adding one is a
// deliberate change: bump it here, pin the matching add-on versions in the stack files, then
// follow the upgrade runbook in the README.
var SupportedKubernetesVersions = []string{"1.31", "1.32", "1.33"}

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
