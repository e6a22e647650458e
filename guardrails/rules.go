// Package guardrails holds the platform's invariants as a CrossGuard policy pack (issue 22). The
// engine runs the pack (cmd/eks-platform-guardrails) on every preview and update that
// scripts/stack.sh and scripts/engine.sh start, and it judges every resource the engine
// registers, pulumi-eks' children included. The rules here are plain functions over a
// resource's inputs, so each one is tested without an engine (rules_test.go) and through the
// real engine on a stack that breaks every rule (cmd/broken-stack, scripts/guardrails.sh).
//
// The program's config validation refuses bad input before any resource exists; these rules hold
// whatever the program becomes: a later change, a hand-edited program or a person running
// pulumi up with a modified checkout meets the same refusal, in the engine.
package guardrails

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Resource types the rules judge (pulumi-aws v6 and pulumi-kubernetes v4 tokens).
const (
	typeSecurityGroup         = "aws:ec2/securityGroup:SecurityGroup"
	typeSecurityGroupRule     = "aws:ec2/securityGroupRule:SecurityGroupRule"
	typeIngressRule           = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	typeEKSCluster            = "aws:eks/cluster:Cluster"
	typeNodeGroup             = "aws:eks/nodeGroup:NodeGroup"
	typeLaunchTemplate        = "aws:ec2/launchTemplate:LaunchTemplate"
	typeLogGroup              = "aws:cloudwatch/logGroup:LogGroup"
	typeTopic                 = "aws:sns/topic:Topic"
	typeVolume                = "aws:ebs/volume:Volume"
	typeBucket                = "aws:s3/bucket:Bucket"
	typeBucketV2              = "aws:s3/bucketV2:BucketV2"
	typeBucketEncryption      = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	typeBucketEncryptionV1    = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
	typeStorageClass          = "kubernetes:storage.k8s.io/v1:StorageClass"
	typeNamespace             = "kubernetes:core/v1:Namespace"
	typeHelmRelease           = "kubernetes:helm.sh/v3:Release"
	ebsCSIProvisioner         = "ebs.csi.aws.com"
	podSecurityEnforceLabel   = "pod-security.kubernetes.io/enforce"
	podSecurityAuditLabel     = "pod-security.kubernetes.io/audit"
	podSecurityWarnLabel      = "pod-security.kubernetes.io/warn"
	podSecurityPrivileged     = "privileged"
	anywhereIPv4              = "0.0.0.0/0"
	anywhereIPv6              = "::/0"
	requiredMetadataTokens    = "required"
	apiAuthenticationMode     = "API"
	secretsEncryptionResource = "secrets"
)

// Rule is one invariant judged on each resource of the types it names. Check returns one message
// per violation, naming the offending input; nil when the resource complies.
type Rule struct {
	Name        string
	Description string
	Types       []string
	Check       func(resourceType string, props property.Map) []string
}

// Resource is what a stack rule sees of each resource: its type, URN, inputs, and the URNs each
// input was computed from.
type Resource struct {
	Type         string
	URN          string
	Properties   property.Map
	Dependencies map[string][]string
}

// Finding is a stack rule's violation, on the resource it names.
type Finding struct {
	URN     string
	Message string
}

// StackRule is an invariant across resources, judged once on the whole stack.
type StackRule struct {
	Name        string
	Description string
	Check       func(resources []Resource) []Finding
}

// Judge applies the rules that name resourceType and returns their violations by rule name.
func Judge(rules []Rule, resourceType string, props property.Map) map[string][]string {
	found := map[string][]string{}
	for _, rule := range rules {
		if !slices.Contains(rule.Types, resourceType) {
			continue
		}
		if messages := rule.Check(resourceType, props); len(messages) > 0 {
			found[rule.Name] = messages
		}
	}
	return found
}

// Rules are the per-resource invariants of the platform (issue 22).
var Rules = []Rule{
	{
		Name: "no-public-ingress",
		Description: "No security group admits traffic from 0.0.0.0/0 or ::/0, and the cluster's public endpoint, " +
			"when on, admits only listed CIDRs (never 0.0.0.0/0, EKS's default when none are listed).",
		Types: []string{typeSecurityGroup, typeSecurityGroupRule, typeIngressRule, typeEKSCluster},
		Check: checkPublicIngress,
	},
	{
		Name:        "encryption-at-rest",
		Description: "Every log group, topic, EBS volume, node volume, EBS storage class and the cluster's Secrets are encrypted with a KMS key.",
		Types:       []string{typeLogGroup, typeTopic, typeVolume, typeLaunchTemplate, typeStorageClass, typeEKSCluster},
		Check:       checkEncryption,
	},
	{
		Name: "imdsv2-required",
		Description: "Every launch template requires IMDSv2 session tokens, and every managed node group uses a launch " +
			"template (the one EKS makes for a group without one does not require them).",
		Types: []string{typeLaunchTemplate, typeNodeGroup},
		Check: checkIMDSv2,
	},
	{
		Name:        "private-endpoint",
		Description: "The EKS cluster's private API endpoint is on, so nodes and in-VPC deployers reach it without leaving the VPC.",
		Types:       []string{typeEKSCluster},
		Check:       checkPrivateEndpoint,
	},
	{
		Name:        "access-mode-api",
		Description: "The EKS cluster's authentication mode is API: access entries only, no aws-auth ConfigMap.",
		Types:       []string{typeEKSCluster},
		Check:       checkAccessMode,
	},
	{
		Name: "namespace-pod-security",
		Description: "Every namespace carries Pod Security Admission's enforce, audit and warn labels; only the log " +
			"shipper's namespace (logging) may enforce privileged.",
		Types: []string{typeNamespace},
		Check: checkNamespacePodSecurity,
	},
	{
		Name: "no-latest-images",
		Description: "No workload image runs untagged or as :latest, and every Helm release pins its chart version " +
			"(without one, Helm installs the newest chart).",
		Types: append(slices.Clone(workloadTypes), typeHelmRelease),
		Check: checkImages,
	},
}

// StackRules are the invariants across resources.
var StackRules = []StackRule{
	{
		Name:        "bucket-encryption",
		Description: "Every S3 bucket has a server-side encryption configuration of its own (SSE-KMS, or SSE-S3 where S3 requires it).",
		Check:       checkBucketEncryption,
	},
}

// PrivilegedNamespaces may enforce privileged: the log shipper's (security.NamespaceLogging), whose
// Fluent Bit DaemonSet reads the node's log files through hostPath volumes, which baseline refuses
// (observability/fluentbit.go). Anything else is a violation.
var PrivilegedNamespaces = []string{"logging"}

// podSecurityLevels are the levels Pod Security Admission accepts.
var podSecurityLevels = []string{podSecurityPrivileged, "baseline", "restricted"}

func checkPublicIngress(resourceType string, props property.Map) []string {
	var out []string
	open := func(where string, ipv4, ipv6 []string) {
		if slices.Contains(ipv4, anywhereIPv4) {
			out = append(out, fmt.Sprintf("%s admits %s", where, anywhereIPv4))
		}
		if slices.Contains(ipv6, anywhereIPv6) {
			out = append(out, fmt.Sprintf("%s admits %s", where, anywhereIPv6))
		}
	}
	switch resourceType {
	case typeSecurityGroup:
		for i, rule := range maps(props, "ingress") {
			open(fmt.Sprintf("ingress[%d]", i), texts(rule, "cidrBlocks"), texts(rule, "ipv6CidrBlocks"))
		}
	case typeSecurityGroupRule:
		if text(props, "type") == "ingress" {
			open("the ingress rule", texts(props, "cidrBlocks"), texts(props, "ipv6CidrBlocks"))
		}
	case typeIngressRule:
		open("the ingress rule", []string{text(props, "cidrIpv4")}, []string{text(props, "cidrIpv6")})
	case typeEKSCluster:
		// EKS turns the public endpoint on unless told otherwise, and opens it to 0.0.0.0/0 when no
		// CIDR is listed (EKS user guide, cluster endpoint).
		public, known := flag(props, "vpcConfig", "endpointPublicAccess")
		if unknown(props, "vpcConfig", "endpointPublicAccess") || unknown(props, "vpcConfig", "publicAccessCidrs") {
			return nil
		}
		if known && !public {
			return nil
		}
		cidrs := texts(props, "vpcConfig", "publicAccessCidrs")
		switch {
		case len(cidrs) == 0:
			out = append(out, "vpcConfig: the public endpoint is on with no publicAccessCidrs, so EKS admits "+anywhereIPv4)
		case slices.Contains(cidrs, anywhereIPv4):
			out = append(out, "vpcConfig.publicAccessCidrs admits "+anywhereIPv4)
		}
	}
	return out
}

func checkEncryption(resourceType string, props property.Map) []string {
	missing := func(input string) []string {
		return []string{fmt.Sprintf("%s is not set: the data is not encrypted with a customer-managed KMS key", input)}
	}
	switch resourceType {
	case typeLogGroup:
		if !set(props, "kmsKeyId") {
			return missing("kmsKeyId")
		}
	case typeTopic:
		if !set(props, "kmsMasterKeyId") {
			return missing("kmsMasterKeyId")
		}
	case typeVolume:
		if on, known := flag(props, "encrypted"); !on && known || !known && !unknown(props, "encrypted") {
			return []string{"encrypted is not true"}
		}
	case typeLaunchTemplate:
		devices := maps(props, "blockDeviceMappings")
		if len(devices) == 0 && !unknown(props, "blockDeviceMappings") {
			return []string{"blockDeviceMappings is empty: the root volume takes the AMI's default, which is not encrypted"}
		}
		var out []string
		for i, device := range devices {
			on, known := flag(device, "ebs", "encrypted")
			if known && !on || !known && !unknown(device, "ebs", "encrypted") {
				out = append(out, fmt.Sprintf("blockDeviceMappings[%d].ebs.encrypted is not true", i))
			}
			if !set(device, "ebs", "kmsKeyId") {
				out = append(out, fmt.Sprintf("blockDeviceMappings[%d].ebs.kmsKeyId is not set", i))
			}
		}
		return out
	case typeStorageClass:
		if text(props, "provisioner") != ebsCSIProvisioner {
			return nil
		}
		if on, known := flag(props, "parameters", "encrypted"); !on && known || !known && !unknown(props, "parameters", "encrypted") {
			return []string{"parameters.encrypted is not \"true\": the EBS CSI driver creates unencrypted volumes"}
		}
	case typeEKSCluster:
		// pulumi-aws v6 carries encryptionConfig as one object (EKS allows one); older shapes as a list.
		configs := maps(props, "encryptionConfig")
		if config, ok := at(props, "encryptionConfig"); ok && config.IsMap() {
			configs = append(configs, config.AsMap())
		}
		for _, config := range configs {
			if slices.Contains(texts(config, "resources"), secretsEncryptionResource) && set(config, "provider", "keyArn") {
				return nil
			}
		}
		if unknown(props, "encryptionConfig") {
			return nil
		}
		return []string{"encryptionConfig does not encrypt \"secrets\" with a KMS key: Kubernetes Secrets are stored in plain etcd"}
	}
	return nil
}

func checkIMDSv2(resourceType string, props property.Map) []string {
	switch resourceType {
	case typeLaunchTemplate:
		if unknown(props, "metadataOptions", "httpTokens") {
			return nil
		}
		if tokens := text(props, "metadataOptions", "httpTokens"); tokens != requiredMetadataTokens {
			return []string{fmt.Sprintf("metadataOptions.httpTokens is %q, want %q: a pod could read the node role's credentials with a plain GET", tokens, requiredMetadataTokens)}
		}
	case typeNodeGroup:
		if _, ok := at(props, "launchTemplate"); !ok {
			return []string{"launchTemplate is not set: the group runs on EKS's own launch template, which does not require IMDSv2"}
		}
	}
	return nil
}

func checkPrivateEndpoint(_ string, props property.Map) []string {
	if on, known := flag(props, "vpcConfig", "endpointPrivateAccess"); !on && !unknown(props, "vpcConfig", "endpointPrivateAccess") {
		state := "absent (EKS defaults to off)"
		if known {
			state = "false"
		}
		return []string{"vpcConfig.endpointPrivateAccess is " + state}
	}
	return nil
}

func checkAccessMode(_ string, props property.Map) []string {
	if unknown(props, "accessConfig", "authenticationMode") {
		return nil
	}
	if mode := text(props, "accessConfig", "authenticationMode"); mode != apiAuthenticationMode {
		if mode == "" {
			mode = "absent (EKS defaults to CONFIG_MAP)"
		} else {
			mode = fmt.Sprintf("%q", mode)
		}
		return []string{"accessConfig.authenticationMode is " + mode + ", want \"API\""}
	}
	return nil
}

func checkNamespacePodSecurity(_ string, props property.Map) []string {
	name := text(props, "metadata", "name")
	labels := property.Map{}
	if value, ok := at(props, "metadata", "labels"); ok && value.IsMap() {
		labels = value.AsMap()
	}
	var out []string
	for _, label := range []string{podSecurityEnforceLabel, podSecurityAuditLabel, podSecurityWarnLabel} {
		value, ok := labels.GetOk(label)
		switch {
		case !ok || value.IsNull():
			out = append(out, "metadata.labels has no "+label)
		case value.IsComputed():
		case !value.IsString() || !slices.Contains(podSecurityLevels, value.AsString()):
			out = append(out, fmt.Sprintf("metadata.labels[%s] is not a Pod Security level", label))
		case label == podSecurityEnforceLabel && value.AsString() == podSecurityPrivileged && !slices.Contains(PrivilegedNamespaces, name):
			out = append(out, fmt.Sprintf("namespace %q enforces privileged; only %s may", name, strings.Join(PrivilegedNamespaces, ", ")))
		}
	}
	return out
}

func checkBucketEncryption(resources []Resource) []Finding {
	encrypted := map[string]bool{}
	for _, r := range resources {
		if r.Type != typeBucketEncryption && r.Type != typeBucketEncryptionV1 {
			continue
		}
		algorithms := 0
		for _, rule := range maps(r.Properties, "rules") {
			if set(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") {
				algorithms++
			}
		}
		if algorithms == 0 {
			continue
		}
		// The configuration names its bucket by the bucket's output: the URN it came from is the
		// input's dependency. A bucket named by a literal string matches by name.
		for _, urn := range r.Dependencies["bucket"] {
			encrypted[urn] = true
		}
		if name := text(r.Properties, "bucket"); name != "" {
			encrypted["name:"+name] = true
		}
	}
	var out []Finding
	for _, r := range resources {
		if r.Type != typeBucketV2 && r.Type != typeBucket {
			continue
		}
		// pulumi-aws' v1 bucket may carry its configuration inline.
		if set(r.Properties, "serverSideEncryptionConfiguration", "rule", "applyServerSideEncryptionByDefault", "sseAlgorithm") {
			continue
		}
		if encrypted[r.URN] || encrypted["name:"+text(r.Properties, "bucket")] {
			continue
		}
		out = append(out, Finding{URN: r.URN, Message: "no server-side encryption configuration names this bucket"})
	}
	return out
}
