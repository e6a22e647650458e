package config

// BadConfig is one invalid configuration: the stack file it starts from, the keys it changes,
// and the words the error must contain (the key and the value, C4).
type BadConfig struct {
	Name  string
	Stack string
	Set   map[string]string
	Unset []string
	Want  []string
}

// Apply changes a stack's config values (as StackValues returns them) the way this entry says.
func (b BadConfig) Apply(values map[string]string) {
	for k, v := range b.Set {
		values[k] = v
	}
	for _, k := range b.Unset {
		delete(values, k)
	}
}

// BadConfigs is the table of invalid configurations every layer is tested with: config.Parse
// here, and the whole program under mocks in tests/stack (which also checks that nothing is
// registered). It lives in the package, not a _test file, so both can share it.
var BadConfigs = []BadConfig{
	{Name: "region format", Stack: "dev", Set: map[string]string{"aws:region": "us-east"}, Want: []string{"aws:region", `"us-east"`}},
	{Name: "region upper case", Stack: "dev", Set: map[string]string{"aws:region": "US-EAST-1"}, Want: []string{"aws:region", "US-EAST-1"}},
	// issue 18: a key nothing reads is refused, in any namespace, naming the nearest key it reads.
	{Name: "misspelt key", Stack: "dev", Set: map[string]string{"eks-platform:natGatwayCount": "1"}, Want: []string{"eks-platform:natGatwayCount", "not a key of this program", "eks-platform:natGatewayCount"}},
	{Name: "misspelt namespace", Stack: "dev", Set: map[string]string{"eks-platfrom:natGatewayCount": "1"}, Want: []string{"eks-platfrom:natGatewayCount", `namespace "eks-platfrom"`, "eks-platform:natGatewayCount"}},
	{Name: "misspelt aws key", Stack: "dev", Set: map[string]string{"aws:regoin": "eu-west-1"}, Want: []string{"aws:regoin", "not a key of the AWS provider", "aws:region"}},
	{Name: "aws key the program does not pass on", Stack: "prod", Set: map[string]string{"aws:profile": "prod-admin"}, Want: []string{"aws:profile", "would never see it", "AWS_PROFILE"}},
	{Name: "missing account", Stack: "staging", Set: map[string]string{"eks-platform:awsAccountId": ""}, Want: []string{"eks-platform:awsAccountId", `= ""`, "12-digit"}},
	{Name: "account not 12 digits", Stack: "prod", Set: map[string]string{"eks-platform:awsAccountId": "77778888999"}, Want: []string{"eks-platform:awsAccountId", "77778888999", "12-digit"}},
	{Name: "boundary from another account", Stack: "prod", Set: map[string]string{"eks-platform:permissionsBoundaryArn": "arn:aws:iam::111122223333:policy/boundary"}, Want: []string{"eks-platform:permissionsBoundaryArn", "111122223333", "stack's account 777788889999"}},
	{Name: "missing environment", Stack: "dev", Set: map[string]string{"eks-platform:environment": ""}, Want: []string{"eks-platform:environment", `= ""`, "dev, staging, prod"}},
	{Name: "vpc cidr not a cidr", Stack: "dev", Set: map[string]string{"eks-platform:vpcCidr": "10.0.0.0"}, Want: []string{"eks-platform:vpcCidr", `"10.0.0.0"`}},
	{Name: "vpc cidr too small", Stack: "dev", Set: map[string]string{"eks-platform:vpcCidr": "10.0.0.0/26"}, Want: []string{"eks-platform:vpcCidr", "/16 to /24"}},
	{Name: "subnet outside vpc", Stack: "dev", Set: map[string]string{"eks-platform:privateSubnetCidrs": `["10.10.0.0/19","10.10.32.0/19","10.9.0.0/19"]`}, Want: []string{"eks-platform:privateSubnetCidrs", "10.9.0.0/19", "inside vpcCidr"}},
	{Name: "overlapping subnets", Stack: "dev", Set: map[string]string{"eks-platform:publicSubnetCidrs": `["10.10.96.0/22","10.10.100.0/22","10.10.64.0/22"]`}, Want: []string{"eks-platform:publicSubnetCidrs", "10.10.64.0/22", "overlaps"}},
	{Name: "az count too high", Stack: "dev", Set: map[string]string{"eks-platform:azCount": "7"}, Want: []string{"eks-platform:azCount", "7", "between 2 and 6"}},
	{Name: "az count too low", Stack: "dev", Set: map[string]string{"eks-platform:azCount": "1"}, Want: []string{"eks-platform:azCount", "1", "between 2 and 6"}},
	{Name: "nat count zero", Stack: "dev", Set: map[string]string{"eks-platform:natGatewayCount": "0"}, Want: []string{"eks-platform:natGatewayCount", "= 0:", "between 1 and azCount"}},
	{Name: "endpoint AZs above az count", Stack: "staging", Set: map[string]string{"eks-platform:interfaceEndpointAzCount": "4"}, Want: []string{"eks-platform:interfaceEndpointAzCount", "4", "between 1 and azCount (3)"}},
	{Name: "endpoint AZs zero", Stack: "dev", Set: map[string]string{"eks-platform:interfaceEndpointAzCount": "0"}, Want: []string{"eks-platform:interfaceEndpointAzCount", "0", "between 1 and azCount (3)"}},
	{Name: "nat count above az count", Stack: "prod", Set: map[string]string{"eks-platform:natGatewayCount": "4"}, Want: []string{"eks-platform:natGatewayCount", "4"}},
	{Name: "az count without subnets", Stack: "dev", Set: map[string]string{"eks-platform:azCount": "2"}, Want: []string{"eks-platform:privateSubnetCidrs", "exactly azCount (2)"}},
	{Name: "min above desired", Stack: "dev", Set: map[string]string{"eks-platform:appNodesMinSize": "3", "eks-platform:appNodesDesiredSize": "2"}, Want: []string{"eks-platform:appNodesDesiredSize", "= 2:", "minSize (3)"}},
	{Name: "desired above max", Stack: "prod", Set: map[string]string{"eks-platform:systemNodesDesiredSize": "9"}, Want: []string{"eks-platform:systemNodesDesiredSize", "9", "maxSize (6)"}},
	{Name: "negative size", Stack: "dev", Set: map[string]string{"eks-platform:gpuNodesMinSize": "-1"}, Want: []string{"eks-platform:gpuNodesMinSize", "-1", "negative"}},
	{Name: "size not a number", Stack: "dev", Set: map[string]string{"eks-platform:gpuNodesMaxSize": "two"}, Want: []string{"eks-platform:gpuNodesMaxSize", `"two"`, "whole number"}},
	{Name: "instance type format", Stack: "dev", Set: map[string]string{"eks-platform:appNodesInstanceTypes": `["m6i.large","large"]`}, Want: []string{"eks-platform:appNodesInstanceTypes", `"large"`, "instance type"}},
	// issue 20: node groups checked against the instance-type catalogue (catalogue/instancetypes.json).
	{Name: "instance type that does not exist", Stack: "dev", Set: map[string]string{"eks-platform:appNodesInstanceTypes": `["m6i.huge"]`}, Want: []string{"eks-platform:appNodesInstanceTypes", `"m6i.huge"`, "not an instance type in the catalogue", "m6i"}},
	{Name: "previous-generation instance type", Stack: "dev", Set: map[string]string{"eks-platform:systemNodesInstanceTypes": `["m4.large"]`}, Want: []string{"eks-platform:systemNodesInstanceTypes", `"m4.large"`, "current-generation families"}},
	{Name: "arm64 type in an x86_64 group", Stack: "dev", Set: map[string]string{"eks-platform:appNodesInstanceTypes": `["m6g.large"]`}, Want: []string{"eks-platform:appNodesInstanceTypes", `"m6g.large"`, "is arm64", "BOTTLEROCKET_x86_64", "must be x86_64"}},
	{Name: "gpu group on graviton", Stack: "dev", Set: map[string]string{"eks-platform:gpuNodesInstanceTypes": `["g5g.xlarge"]`}, Want: []string{"eks-platform:gpuNodesInstanceTypes", `"g5g.xlarge"`, "is arm64", "BOTTLEROCKET_x86_64_NVIDIA"}},
	{Name: "gpu group on an AMD GPU", Stack: "dev", Set: map[string]string{"eks-platform:gpuNodesInstanceTypes": `["g4ad.xlarge"]`}, Want: []string{"eks-platform:gpuNodesInstanceTypes", `"g4ad.xlarge"`, "amd", "needs an NVIDIA GPU"}},
	{Name: "group of mixed shapes", Stack: "dev", Set: map[string]string{"eks-platform:appNodesInstanceTypes": `["m6i.large","r6i.8xlarge"]`}, Want: []string{"eks-platform:appNodesInstanceTypes", `"r6i.8xlarge"`, "32 vCPUs", "m6i.large has 2 vCPUs", "same vCPUs and memory"}},
	{Name: "max size above the EKS quota", Stack: "dev", Set: map[string]string{"eks-platform:appNodesMaxSize": "100000"}, Want: []string{"eks-platform:appNodesMaxSize", "100000", "at most 450", "nodes per managed node group"}},
	{Name: "system group too small for the platform", Stack: "dev", Set: map[string]string{"eks-platform:systemNodesInstanceTypes": `["t3.medium"]`}, Want: []string{"eks-platform:systemNodesMinSize", "t3.medium", "17 pods", "platform's pods"}},
	{Name: "gpu group without gpu", Stack: "dev", Set: map[string]string{"eks-platform:gpuNodesInstanceTypes": `["m6i.large"]`}, Want: []string{"eks-platform:gpuNodesInstanceTypes", "m6i.large", "GPU"}},
	{Name: "capacity type", Stack: "dev", Set: map[string]string{"eks-platform:appNodesCapacityType": "spot"}, Want: []string{"eks-platform:appNodesCapacityType", `"spot"`, "ON_DEMAND, SPOT"}},
	{Name: "unsupported kubernetes version", Stack: "dev", Set: map[string]string{"eks-platform:kubernetesVersion": "1.24"}, Want: []string{"eks-platform:kubernetesVersion", `"1.24"`, "1.33"}},
	{Name: "kubernetes version with a missing pin", Stack: "dev", Set: map[string]string{"eks-platform:kubernetesVersion": "1.37"}, Want: []string{"eks-platform:kubernetesVersion", `"1.37"`, "does not exist yet", "cluster-autoscaler (no cluster-autoscaler 1.37 release"}},
	{Name: "public endpoint without cidrs", Stack: "dev", Set: map[string]string{"eks-platform:publicAccessCidrs": `[]`}, Want: []string{"eks-platform:publicAccessCidrs", "= []:", "endpointPublicAccess is true"}},
	{Name: "public endpoint open to the world in prod", Stack: "prod", Set: map[string]string{"eks-platform:endpointPublicAccess": "true", "eks-platform:publicAccessCidrs": `["0.0.0.0/0"]`}, Want: []string{"eks-platform:publicAccessCidrs", "0.0.0.0/0", "prod"}},
	{Name: "cidrs set but endpoint private", Stack: "prod", Set: map[string]string{"eks-platform:publicAccessCidrs": `["198.51.100.0/24"]`}, Want: []string{"eks-platform:publicAccessCidrs", "198.51.100.0/24", "endpointPublicAccess is false"}},
	// Issue 19: an endpoint that no declared deployer can reach is refused, naming the keys that open a path.
	{Name: "private endpoint no deployer can reach", Stack: "prod", Set: map[string]string{"eks-platform:deployerCidrs": `[]`, "eks-platform:deployerTransitGatewayId": ""}, Want: []string{"eks-platform:endpointPublicAccess", "= false:", "no deployer is declared", "eks-platform:deployerCidrs", "eks-platform:deployerTransitGatewayId"}},
	{Name: "private endpoint with an unrouted deployer", Stack: "staging", Set: map[string]string{"eks-platform:deployerTransitGatewayId": ""}, Want: []string{"eks-platform:endpointPublicAccess", "[10.100.0.0/22]", "routes none of them"}},
	{Name: "public endpoint that excludes the deployer", Stack: "dev", Set: map[string]string{"eks-platform:deployerCidrs": `["198.51.100.0/24"]`}, Want: []string{"eks-platform:deployerCidrs", "198.51.100.0/24", "publicAccessCidrs [203.0.113.0/24] do not include it"}},
	{Name: "transit route with a public endpoint", Stack: "dev", Set: map[string]string{"eks-platform:deployerCidrs": `["203.0.113.0/24"]`, "eks-platform:deployerTransitGatewayId": "tgw-0123456789abcdef0"}, Want: []string{"eks-platform:deployerTransitGatewayId", "tgw-0123456789abcdef0", "while endpointPublicAccess is true"}},
	{Name: "transit gateway that routes nothing", Stack: "prod", Set: map[string]string{"eks-platform:deployerCidrs": `["10.30.0.0/19"]`}, Want: []string{"eks-platform:deployerTransitGatewayId", "routes nothing"}},
	{Name: "transit gateway id malformed", Stack: "prod", Set: map[string]string{"eks-platform:deployerTransitGatewayId": "tgw-123"}, Want: []string{"eks-platform:deployerTransitGatewayId", `"tgw-123"`, "8 or 17 hex digits"}},
	{Name: "deployer across the vpc edge", Stack: "prod", Set: map[string]string{"eks-platform:deployerCidrs": `["10.0.0.0/8"]`}, Want: []string{"eks-platform:deployerCidrs", "10.0.0.0/8", "inside vpcCidr 10.30.0.0/16", "not across its edge"}},
	{Name: "deployer from everywhere", Stack: "prod", Set: map[string]string{"eks-platform:deployerCidrs": `["0.0.0.0/0"]`}, Want: []string{"eks-platform:deployerCidrs", "0.0.0.0/0", "/8 or longer"}},
	{Name: "deployer also in private access", Stack: "staging", Set: map[string]string{"eks-platform:privateAccessCidrs": `["10.100.0.0/22"]`}, Want: []string{"eks-platform:deployerCidrs", "10.100.0.0/22", "also in privateAccessCidrs"}},
	{Name: "log retention not allowed by cloudwatch", Stack: "dev", Set: map[string]string{"eks-platform:logRetentionDays": "10"}, Want: []string{"eks-platform:logRetentionDays", `"10"`, "7, 14"}},
	{Name: "unknown pod security level", Stack: "dev", Set: map[string]string{"eks-platform:podSecurityEnforce": "strict"}, Want: []string{"eks-platform:podSecurityEnforce", `"strict"`, "baseline, restricted"}},
	{Name: "privileged workloads", Stack: "dev", Set: map[string]string{"eks-platform:podSecurityEnforce": "privileged"}, Want: []string{"eks-platform:podSecurityEnforce", `"privileged"`}},
	{Name: "prod below restricted", Stack: "prod", Set: map[string]string{"eks-platform:podSecurityEnforce": "baseline"}, Want: []string{"eks-platform:podSecurityEnforce", `"baseline"`, "restricted in prod"}},
	{Name: "no key administrator", Stack: "dev", Set: map[string]string{"eks-platform:keyAdminRoleArns": `[]`}, Want: []string{"eks-platform:keyAdminRoleArns", "[]", "at least the deploy role", "lock out"}},
	{Name: "key administrators without the deploy role", Stack: "prod", Set: map[string]string{"eks-platform:keyAdminRoleArns": `["arn:aws:iam::777788889999:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"]`}, Want: []string{"eks-platform:keyAdminRoleArns", "must include the deploy role", "role/eks-platform-deploy-prod"}},
	{Name: "key administrator a user", Stack: "dev", Set: map[string]string{"eks-platform:keyAdminRoleArns": `["arn:aws:iam::111122223333:user/alice"]`}, Want: []string{"eks-platform:keyAdminRoleArns", "user/alice", "IAM role ARN"}},
	{Name: "key administrator a wildcard", Stack: "dev", Set: map[string]string{"eks-platform:keyAdminRoleArns": `["arn:aws:iam::111122223333:role/*"]`}, Want: []string{"eks-platform:keyAdminRoleArns", "role/*", "no wildcards"}},
	{Name: "key administrator of another account", Stack: "prod", Set: map[string]string{"eks-platform:keyAdminRoleArns": `["arn:aws:iam::777788889999:role/eks-platform-deploy-prod","arn:aws:iam::111122223333:role/Admin"]`}, Want: []string{"eks-platform:keyAdminRoleArns", "111122223333:role/Admin", "account 777788889999"}},
	{Name: "key administrator twice", Stack: "dev", Set: map[string]string{"eks-platform:keyAdminRoleArns": `["arn:aws:iam::111122223333:role/eks-platform-deploy-dev","arn:aws:iam::111122223333:role/eks-platform-deploy-dev"]`}, Want: []string{"eks-platform:keyAdminRoleArns", "listed twice"}},
	{Name: "kms deletion window", Stack: "dev", Set: map[string]string{"eks-platform:kmsDeletionWindowDays": "3"}, Want: []string{"eks-platform:kmsDeletionWindowDays", "3", "between 7 and 30"}},
	{Name: "unknown interface endpoint", Stack: "dev", Set: map[string]string{"eks-platform:interfaceEndpoints": `["ecr.api","s3"]`}, Want: []string{"eks-platform:interfaceEndpoints", `"s3"`}},
	{Name: "reserved namespace", Stack: "dev", Set: map[string]string{"eks-platform:workloadNamespaces": `["apps","kube-system"]`}, Want: []string{"eks-platform:workloadNamespaces", "kube-system", "reserved"}},
	{Name: "addon version not pinned", Stack: "dev", Set: map[string]string{"eks-platform:corednsVersion": "latest"}, Want: []string{"eks-platform:corednsVersion", `"latest"`}},
	{Name: "admin principal not an arn", Stack: "dev", Set: map[string]string{"eks-platform:adminPrincipalArns": `["admin"]`}, Want: []string{"eks-platform:adminPrincipalArns", `"admin"`}},
	{Name: "list key not a list", Stack: "dev", Set: map[string]string{"eks-platform:workloadNamespaces": "apps"}, Want: []string{"eks-platform:workloadNamespaces", "= apps:", "list of strings"}},
	{Name: "end-of-life Fluent Bit 2.x", Stack: "dev", Set: map[string]string{"eks-platform:fluentBitImage": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5"}, Want: []string{"eks-platform:fluentBitImage", "aws-for-fluent-bit:2.32.5", "end of life on 2026-06-30"}},
	{Name: "unpinned image", Stack: "dev", Set: map[string]string{"eks-platform:fluentBitImage": "fluent/fluent-bit:latest"}, Want: []string{"eks-platform:fluentBitImage", "latest"}},
	{Name: "chart over http", Stack: "dev", Set: map[string]string{"eks-platform:veleroChartRepository": "http://example.com/charts"}, Want: []string{"eks-platform:veleroChartRepository", `"http://example.com/charts"`, "https://"}},
	{Name: "backup schedule", Stack: "dev", Set: map[string]string{"eks-platform:backupSchedule": "daily"}, Want: []string{"eks-platform:backupSchedule", `"daily"`, "cron"}},
	{Name: "quantity", Stack: "dev", Set: map[string]string{"eks-platform:containerDefaultMemoryLimit": "512MB"}, Want: []string{"eks-platform:containerDefaultMemoryLimit", `"512MB"`, "quantity"}},
	{Name: "bool not a bool", Stack: "dev", Set: map[string]string{"eks-platform:endpointPublicAccess": "yes please"}, Want: []string{"eks-platform:endpointPublicAccess", `"yes please"`, "true or false"}},
	{Name: "key missing", Stack: "dev", Unset: []string{"eks-platform:azCount"}, Want: []string{"eks-platform:azCount", "not set"}},
	{Name: "cluster name too long", Stack: "dev", Set: map[string]string{"eks-platform:clusterName": "a-very-long-cluster-name-that-breaks-iam-limits"}, Want: []string{"eks-platform:clusterName", `"a-very-long-cluster-name-that-breaks-iam-limits"`, "at most 40"}},
	{Name: "empty cost center", Stack: "dev", Set: map[string]string{"eks-platform:costCenter": ""}, Want: []string{"eks-platform:costCenter", `""`}},
	{Name: "owner not a label value", Stack: "dev", Set: map[string]string{"eks-platform:owner": "team@acme.com"}, Want: []string{"eks-platform:owner", "team@acme.com", "Kubernetes label"}},
	{Name: "permissions boundary not a policy", Stack: "dev", Set: map[string]string{"eks-platform:permissionsBoundaryArn": "arn:aws:iam::123456789012:role/x"}, Want: []string{"eks-platform:permissionsBoundaryArn", `"arn:aws:iam::123456789012:role/x"`, "policy ARN"}},
	{Name: "private access from everywhere", Stack: "prod", Set: map[string]string{"eks-platform:privateAccessCidrs": `["0.0.0.0/0"]`}, Want: []string{"eks-platform:privateAccessCidrs", "0.0.0.0/0", "/8 or longer"}},
	// issue 22: alarms must reach someone in staging and prod, over https only.
	{Name: "prod alarms reach nobody", Stack: "prod", Set: map[string]string{"eks-platform:alarmEmail": "", "eks-platform:alarmHttpsEndpoints": "[]"}, Want: []string{"eks-platform:alarmHttpsEndpoints", "= []:", "eks-platform:alarmEmail", "reach someone"}},
	{Name: "staging alarms reach nobody", Stack: "staging", Set: map[string]string{"eks-platform:alarmEmail": ""}, Want: []string{"eks-platform:alarmHttpsEndpoints", "staging", "reach someone"}},
	{Name: "alarm endpoint over http", Stack: "prod", Set: map[string]string{"eks-platform:alarmHttpsEndpoints": `["http://events.pagerduty.com/integration/x/enqueue"]`}, Want: []string{"eks-platform:alarmHttpsEndpoints", `"http://events.pagerduty.com/integration/x/enqueue"`, "https://", "clear-text"}},
	{Name: "alarm endpoint not a url", Stack: "dev", Set: map[string]string{"eks-platform:alarmHttpsEndpoints": `["pagerduty"]`}, Want: []string{"eks-platform:alarmHttpsEndpoints", `"pagerduty"`, "https://"}},
	{Name: "alarm endpoint with credentials", Stack: "dev", Set: map[string]string{"eks-platform:alarmHttpsEndpoints": `["https://user:pw@api.opsgenie.com/v1/json/amazonsns?apiKey=x"]`}, Want: []string{"eks-platform:alarmHttpsEndpoints", "user:pw", "credentials"}},
	{Name: "alarm endpoint twice", Stack: "dev", Set: map[string]string{"eks-platform:alarmHttpsEndpoints": `["https://a.example.com/x","https://a.example.com/x"]`}, Want: []string{"eks-platform:alarmHttpsEndpoints", "https://a.example.com/x", "listed twice"}},
	// issue 22: prod's only standing admin being the deploy role is a written decision.
	{Name: "prod with no admins", Stack: "prod", Set: map[string]string{"eks-platform:deployRoleIsOnlyAdmin": "false"}, Want: []string{"eks-platform:adminPrincipalArns", "= []:", "eks-platform:deployRoleIsOnlyAdmin", "prod"}},
	{Name: "only admin but admins listed", Stack: "dev", Set: map[string]string{"eks-platform:deployRoleIsOnlyAdmin": "true", "eks-platform:adminPrincipalArns": `["arn:aws:iam::111122223333:role/platform-admins"]`}, Want: []string{"eks-platform:deployRoleIsOnlyAdmin", "= true:", "eks-platform:adminPrincipalArns"}},
	{Name: "alarm email", Stack: "dev", Set: map[string]string{"eks-platform:alarmEmail": "ops"}, Want: []string{"eks-platform:alarmEmail", `"ops"`}},
	{Name: "scale down threshold", Stack: "dev", Set: map[string]string{"eks-platform:clusterAutoscalerScaleDownUtilizationThreshold": "1.5"}, Want: []string{"eks-platform:clusterAutoscalerScaleDownUtilizationThreshold", `"1.5"`, "between 0 and 1"}},
	// Rules that only a component checked before issue 15, and cross-key rules.
	{Name: "cpu request above cpu limit", Stack: "dev", Set: map[string]string{"eks-platform:containerDefaultCpuRequest": "2"}, Want: []string{"eks-platform:containerDefaultCpuRequest", `"2"`, "eks-platform:containerDefaultCpuLimit", `"500m"`}},
	{Name: "memory request above memory limit", Stack: "dev", Set: map[string]string{"eks-platform:containerDefaultMemoryRequest": "1Gi"}, Want: []string{"eks-platform:containerDefaultMemoryRequest", `"1Gi"`, "eks-platform:containerDefaultMemoryLimit", `"512Mi"`}},
	{Name: "cpu limit above namespace quota", Stack: "prod", Set: map[string]string{"eks-platform:containerDefaultCpuLimit": "9"}, Want: []string{"eks-platform:containerDefaultCpuLimit", `"9"`, "eks-platform:namespaceQuotaCpu", `"8"`}},
	{Name: "memory quota below default limit", Stack: "staging", Set: map[string]string{"eks-platform:namespaceQuotaMemory": "256Mi"}, Want: []string{"eks-platform:containerDefaultMemoryLimit", `"512Mi"`, "eks-platform:namespaceQuotaMemory", `"256Mi"`}},
	{Name: "zero quota", Stack: "dev", Set: map[string]string{"eks-platform:namespaceQuotaCpu": "0"}, Want: []string{"eks-platform:namespaceQuotaCpu", `"0"`, "greater than zero"}},
	{Name: "memory in thousandths of a byte", Stack: "dev", Set: map[string]string{"eks-platform:containerDefaultMemoryRequest": "128m"}, Want: []string{"eks-platform:containerDefaultMemoryRequest", `"128m"`, "whole number of bytes"}},
	{Name: "namespace under the kube- prefix", Stack: "dev", Set: map[string]string{"eks-platform:workloadNamespaces": `["apps","kube-apps"]`}, Want: []string{"eks-platform:workloadNamespaces", `"kube-apps"`, "kube-"}},
	{Name: "admin principals sharing an access entry", Stack: "prod", Set: map[string]string{"eks-platform:adminPrincipalArns": `["arn:aws:iam::123456789012:role/platform/admins","arn:aws:iam::123456789012:role/platform-admins"]`}, Want: []string{"eks-platform:adminPrincipalArns", "role/platform-admins", "role/platform/admins", "access entry"}},
	{Name: "admin principal twice", Stack: "dev", Set: map[string]string{"eks-platform:adminPrincipalArns": `["arn:aws:iam::123456789012:user/ops","arn:aws:iam::123456789012:user/ops"]`}, Want: []string{"eks-platform:adminPrincipalArns", "user/ops", "listed twice"}},
	// issue 22: access tiers. One access entry per principal, so one cluster-wide tier; editors
	// edit workload namespaces only; break-glass is a role.
	{Name: "viewer not an arn", Stack: "dev", Set: map[string]string{"eks-platform:viewerPrincipalArns": `["auditors"]`}, Want: []string{"eks-platform:viewerPrincipalArns", `"auditors"`, "IAM role or user ARN"}},
	{Name: "admin also a viewer", Stack: "dev", Set: map[string]string{"eks-platform:adminPrincipalArns": `["arn:aws:iam::111122223333:role/auditors"]`, "eks-platform:viewerPrincipalArns": `["arn:aws:iam::111122223333:role/auditors"]`}, Want: []string{"eks-platform:viewerPrincipalArns", "role/auditors", "already in eks-platform:adminPrincipalArns", "one cluster-wide tier"}},
	{Name: "preview role also an admin", Stack: "dev", Set: map[string]string{"eks-platform:adminPrincipalArns": `["arn:aws:iam::111122223333:role/eks-platform-preview-dev"]`}, Want: []string{"eks-platform:previewRoleArn", "role/eks-platform-preview-dev", "already in eks-platform:adminPrincipalArns"}},
	{Name: "preview role a user", Stack: "dev", Set: map[string]string{"eks-platform:previewRoleArn": "arn:aws:iam::111122223333:user/ci"}, Want: []string{"eks-platform:previewRoleArn", `"arn:aws:iam::111122223333:user/ci"`, "IAM role ARN"}},
	{Name: "secret viewer twice", Stack: "dev", Set: map[string]string{"eks-platform:secretViewerPrincipalArns": `["arn:aws:iam::111122223333:role/support","arn:aws:iam::111122223333:role/support"]`}, Want: []string{"eks-platform:secretViewerPrincipalArns", "role/support", "listed twice"}},
	{Name: "viewer and secret viewer share an access entry", Stack: "dev", Set: map[string]string{"eks-platform:secretViewerPrincipalArns": `["arn:aws:iam::111122223333:role/audit/team"]`, "eks-platform:viewerPrincipalArns": `["arn:aws:iam::111122223333:role/audit-team"]`}, Want: []string{"eks-platform:viewerPrincipalArns", "role/audit/team", "same EKS access entry"}},
	{Name: "namespace editor without a namespace", Stack: "dev", Set: map[string]string{"eks-platform:namespaceEditors": `["arn:aws:iam::111122223333:role/team-apps"]`}, Want: []string{"eks-platform:namespaceEditors", `"arn:aws:iam::111122223333:role/team-apps"`, "<namespace>=<IAM role or user ARN>"}},
	{Name: "namespace editor of a platform namespace", Stack: "dev", Set: map[string]string{"eks-platform:namespaceEditors": `["kube-system=arn:aws:iam::111122223333:role/team-apps"]`}, Want: []string{"eks-platform:namespaceEditors", `"kube-system=arn:aws:iam::111122223333:role/team-apps"`, "eks-platform:workloadNamespaces", "workload namespaces only"}},
	{Name: "namespace editor not an arn", Stack: "dev", Set: map[string]string{"eks-platform:namespaceEditors": `["apps=team-apps"]`}, Want: []string{"eks-platform:namespaceEditors", `"apps=team-apps"`, "IAM role or user ARN"}},
	{Name: "namespace editor who is an admin", Stack: "dev", Set: map[string]string{"eks-platform:adminPrincipalArns": `["arn:aws:iam::111122223333:role/ops"]`, "eks-platform:namespaceEditors": `["apps=arn:aws:iam::111122223333:role/ops"]`}, Want: []string{"eks-platform:namespaceEditors", `"apps=arn:aws:iam::111122223333:role/ops"`, "eks-platform:adminPrincipalArns", "every namespace"}},
	{Name: "namespace editor twice", Stack: "dev", Set: map[string]string{"eks-platform:namespaceEditors": `["apps=arn:aws:iam::111122223333:role/team-apps","apps=arn:aws:iam::111122223333:role/team-apps"]`}, Want: []string{"eks-platform:namespaceEditors", "role/team-apps", "listed twice"}},
	{Name: "break-glass user", Stack: "prod", Set: map[string]string{"eks-platform:breakGlassRoleArn": "arn:aws:iam::777788889999:user/emergency"}, Want: []string{"eks-platform:breakGlassRoleArn", `"arn:aws:iam::777788889999:user/emergency"`, "IAM role ARN"}},
	{Name: "break-glass role also the preview role", Stack: "prod", Set: map[string]string{"eks-platform:breakGlassRoleArn": "arn:aws:iam::777788889999:role/eks-platform-preview-prod"}, Want: []string{"eks-platform:breakGlassRoleArn", "role/eks-platform-preview-prod", "already in eks-platform:previewRoleArn"}},
	// issue 22: prod's backups are locked for (at most) their life; nothing else is.
	{Name: "prod backups unlocked", Stack: "prod", Set: map[string]string{"eks-platform:backupObjectLockDays": "0"}, Want: []string{"eks-platform:backupObjectLockDays", "= 0:", "prod", "COMPLIANCE"}},
	{Name: "backup lock beyond retention", Stack: "prod", Set: map[string]string{"eks-platform:backupObjectLockDays": "120"}, Want: []string{"eks-platform:backupObjectLockDays", "120", "eks-platform:backupRetentionDays", "(90)"}},
	{Name: "dev backups locked", Stack: "dev", Set: map[string]string{"eks-platform:backupObjectLockDays": "7"}, Want: []string{"eks-platform:backupObjectLockDays", "= 7:", "dev", "torn down"}},
	{Name: "prod backups not copied", Stack: "prod", Set: map[string]string{"eks-platform:backupCopyRegion": ""}, Want: []string{"eks-platform:backupCopyRegion", `""`, "prod", "another AWS region"}},
	{Name: "backup copy in the same region", Stack: "prod", Set: map[string]string{"eks-platform:backupCopyRegion": "us-east-1"}, Want: []string{"eks-platform:backupCopyRegion", `"us-east-1"`, "aws:region"}},
	{Name: "backup copy account malformed", Stack: "prod", Set: map[string]string{"eks-platform:backupCopyAccountId": "9999-8888-7777"}, Want: []string{"eks-platform:backupCopyAccountId", `"9999-8888-7777"`, "12-digit"}},
	{Name: "backup copy account is the stack's", Stack: "prod", Set: map[string]string{"eks-platform:backupCopyAccountId": "777788889999"}, Want: []string{"eks-platform:backupCopyAccountId", `"777788889999"`, "differ from awsAccountId"}},
	{Name: "backup copy account without a copy region", Stack: "dev", Set: map[string]string{"eks-platform:backupCopyAccountId": "999988887777"}, Want: []string{"eks-platform:backupCopyAccountId", "needs eks-platform:backupCopyRegion"}},
	{Name: "backup copy region malformed", Stack: "dev", Set: map[string]string{"eks-platform:backupCopyRegion": "west"}, Want: []string{"eks-platform:backupCopyRegion", `"west"`, "AWS region"}},
	{Name: "cpu alarm that cannot fire", Stack: "dev", Set: map[string]string{"eks-platform:nodeCpuAlarmPercent": "100"}, Want: []string{"eks-platform:nodeCpuAlarmPercent", "100", "between 1 and 99"}},
	{Name: "backup hour out of range", Stack: "dev", Set: map[string]string{"eks-platform:backupSchedule": "0 24 * * *"}, Want: []string{"eks-platform:backupSchedule", `"0 24 * * *"`, "0-23"}},
	{Name: "backup on a date that does not exist", Stack: "dev", Set: map[string]string{"eks-platform:backupSchedule": "0 3 30 2 *"}, Want: []string{"eks-platform:backupSchedule", `"0 3 30 2 *"`, "never runs"}},
	{Name: "backups expire before the next one", Stack: "dev", Set: map[string]string{"eks-platform:backupSchedule": "0 3 * * 0"}, Want: []string{"eks-platform:backupRetentionDays", "= 7:", "eks-platform:backupSchedule", `"0 3 * * 0"`, "7 days"}},
	{Name: "os volume below the nvidia snapshot", Stack: "dev", Set: map[string]string{"eks-platform:nodeOsVolumeGiB": "2"}, Want: []string{"eks-platform:nodeOsVolumeGiB", "= 2:", "between 4 and 16", "NVIDIA"}},
	{Name: "too many public access cidrs", Stack: "dev", Set: map[string]string{"eks-platform:publicAccessCidrs": `["198.51.0.0/24","198.51.1.0/24","198.51.2.0/24","198.51.3.0/24","198.51.4.0/24","198.51.5.0/24","198.51.6.0/24","198.51.7.0/24","198.51.8.0/24","198.51.9.0/24","198.51.10.0/24","198.51.11.0/24","198.51.12.0/24","198.51.13.0/24","198.51.14.0/24","198.51.15.0/24","198.51.16.0/24","198.51.17.0/24","198.51.18.0/24","198.51.19.0/24","198.51.20.0/24","198.51.21.0/24","198.51.22.0/24","198.51.23.0/24","198.51.24.0/24","198.51.25.0/24","198.51.26.0/24","198.51.27.0/24","198.51.28.0/24","198.51.29.0/24","198.51.30.0/24","198.51.31.0/24","198.51.32.0/24","198.51.33.0/24","198.51.34.0/24","198.51.35.0/24","198.51.36.0/24","198.51.37.0/24","198.51.38.0/24","198.51.39.0/24","198.51.40.0/24"]`}, Want: []string{"eks-platform:publicAccessCidrs", "198.51.40.0/24", "at most 40"}},
	{Name: "staging without controller replicas", Stack: "staging", Set: map[string]string{"eks-platform:controllersHighAvailability": "false"}, Want: []string{"eks-platform:controllersHighAvailability", "= false:", "staging"}},
	{Name: "two replicas on one system node", Stack: "dev", Set: map[string]string{"eks-platform:controllersHighAvailability": "true"}, Want: []string{"eks-platform:systemNodesMinSize", "= 1:", "controllersHighAvailability"}},
}
