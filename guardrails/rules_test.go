package guardrails

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// v builds a property value from Go literals (maps, slices, strings, bools).
func v(t *testing.T, goValue any) property.Value {
	t.Helper()
	switch x := goValue.(type) {
	case map[string]any:
		m := map[string]property.Value{}
		for key, element := range x {
			m[key] = v(t, element)
		}
		return property.New(property.NewMap(m))
	case []any:
		a := make([]property.Value, 0, len(x))
		for _, element := range x {
			a = append(a, v(t, element))
		}
		return property.New(property.NewArray(a))
	case string:
		return property.New(x)
	case bool:
		return property.New(x)
	}
	t.Fatalf("no property value for %T", goValue)
	return property.Value{}
}

func props(t *testing.T, goValue map[string]any) property.Map {
	return v(t, goValue).AsMap()
}

var computed = property.New(property.Computed)

// compliant holds, per resource type, inputs the platform really sends (issue 22): each rule must
// pass them.
func compliant(t *testing.T) map[string]property.Map {
	return map[string]property.Map{
		typeSecurityGroup: props(t, map[string]any{"ingress": []any{map[string]any{"cidrBlocks": []any{"10.0.0.0/16"}}},
			"egress": []any{map[string]any{"cidrBlocks": []any{"0.0.0.0/0"}}}}),
		typeSecurityGroupRule: props(t, map[string]any{"type": "egress", "cidrBlocks": []any{"0.0.0.0/0"}}),
		typeIngressRule:       props(t, map[string]any{"cidrIpv4": "10.100.0.0/16"}),
		typeEKSCluster: props(t, map[string]any{
			"vpcConfig":        map[string]any{"endpointPrivateAccess": true, "endpointPublicAccess": true, "publicAccessCidrs": []any{"203.0.113.10/32"}},
			"accessConfig":     map[string]any{"authenticationMode": "API"},
			"encryptionConfig": map[string]any{"resources": []any{"secrets"}, "provider": map[string]any{"keyArn": "arn:aws:kms:us-east-1:111122223333:key/k"}},
		}),
		typeNodeGroup: props(t, map[string]any{"launchTemplate": map[string]any{"id": "lt-1", "version": "1"}}),
		typeLaunchTemplate: props(t, map[string]any{
			"metadataOptions":     map[string]any{"httpTokens": "required"},
			"blockDeviceMappings": []any{map[string]any{"deviceName": "/dev/xvdb", "ebs": map[string]any{"encrypted": "true", "kmsKeyId": "arn:k"}}},
		}),
		typeLogGroup:     props(t, map[string]any{"kmsKeyId": "arn:k"}),
		typeTopic:        props(t, map[string]any{"kmsMasterKeyId": "arn:k"}),
		typeVolume:       props(t, map[string]any{"encrypted": true}),
		typeStorageClass: props(t, map[string]any{"provisioner": "ebs.csi.aws.com", "parameters": map[string]any{"encrypted": "true"}}),
		typeNamespace: props(t, map[string]any{"metadata": map[string]any{"name": "payments", "labels": map[string]any{
			podSecurityEnforceLabel: "restricted", podSecurityAuditLabel: "restricted", podSecurityWarnLabel: "restricted"}}}),
		"kubernetes:apps/v1:DaemonSet": props(t, map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{"image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.15"}}}}}}),
		typeHelmRelease: props(t, map[string]any{"version": "1.13.1", "values": map[string]any{"image": map[string]any{"tag": "v1.13.1"}}}),
	}
}

func TestCompliantInputsPassEveryRule(t *testing.T) {
	for resourceType, inputs := range compliant(t) {
		if found := Judge(Rules, resourceType, inputs); len(found) > 0 {
			t.Errorf("%s: compliant inputs refused: %v", resourceType, found)
		}
	}
}

// Each case breaks one input of a compliant resource; exactly its rule must refuse it, naming the input.
func TestEachRuleRefusesWhatItGuards(t *testing.T) {
	cases := []struct {
		name, resourceType, rule, want string
		change                         func(property.Map) property.Map
	}{
		{"ingress from anywhere", typeSecurityGroup, "no-public-ingress", "ingress[0] admits 0.0.0.0/0",
			func(m property.Map) property.Map {
				return m.Set("ingress", v(t, []any{map[string]any{"cidrBlocks": []any{"0.0.0.0/0"}}}))
			}},
		{"ipv6 ingress rule from anywhere", typeIngressRule, "no-public-ingress", "admits ::/0",
			func(m property.Map) property.Map { return m.Set("cidrIpv6", v(t, "::/0")) }},
		{"ingress security group rule", typeSecurityGroupRule, "no-public-ingress", "admits 0.0.0.0/0",
			func(m property.Map) property.Map { return m.Set("type", v(t, "ingress")) }},
		{"public endpoint with no CIDRs", typeEKSCluster, "no-public-ingress", "no publicAccessCidrs",
			func(m property.Map) property.Map {
				return m.Set("vpcConfig", v(t, map[string]any{"endpointPrivateAccess": true}))
			}},
		{"private endpoint off", typeEKSCluster, "private-endpoint", "endpointPrivateAccess is false",
			func(m property.Map) property.Map {
				return m.Set("vpcConfig", v(t, map[string]any{"endpointPrivateAccess": false, "endpointPublicAccess": false}))
			}},
		{"config map authentication", typeEKSCluster, "access-mode-api", `"API_AND_CONFIG_MAP"`,
			func(m property.Map) property.Map {
				return m.Set("accessConfig", v(t, map[string]any{"authenticationMode": "API_AND_CONFIG_MAP"}))
			}},
		{"secrets not encrypted", typeEKSCluster, "encryption-at-rest", "encryptionConfig",
			func(m property.Map) property.Map { return m.Delete("encryptionConfig") }},
		{"IMDSv1 allowed", typeLaunchTemplate, "imdsv2-required", `"optional"`,
			func(m property.Map) property.Map {
				return m.Set("metadataOptions", v(t, map[string]any{"httpTokens": "optional"}))
			}},
		{"node group without launch template", typeNodeGroup, "imdsv2-required", "launchTemplate is not set",
			func(m property.Map) property.Map { return m.Delete("launchTemplate") }},
		{"unencrypted node volume", typeLaunchTemplate, "encryption-at-rest", "ebs.encrypted is not true",
			func(m property.Map) property.Map {
				return m.Set("blockDeviceMappings", v(t, []any{map[string]any{"ebs": map[string]any{"encrypted": "false", "kmsKeyId": "arn:k"}}}))
			}},
		{"log group without key", typeLogGroup, "encryption-at-rest", "kmsKeyId",
			func(m property.Map) property.Map { return m.Delete("kmsKeyId") }},
		{"topic without key", typeTopic, "encryption-at-rest", "kmsMasterKeyId",
			func(m property.Map) property.Map { return m.Delete("kmsMasterKeyId") }},
		{"unencrypted volume", typeVolume, "encryption-at-rest", "encrypted",
			func(m property.Map) property.Map { return m.Set("encrypted", v(t, false)) }},
		{"unencrypted storage class", typeStorageClass, "encryption-at-rest", "parameters.encrypted",
			func(m property.Map) property.Map { return m.Delete("parameters") }},
		{"namespace without enforce label", typeNamespace, "namespace-pod-security", "no pod-security.kubernetes.io/enforce",
			func(m property.Map) property.Map {
				return m.Set("metadata", v(t, map[string]any{"name": "payments", "labels": map[string]any{
					podSecurityAuditLabel: "restricted", podSecurityWarnLabel: "restricted"}}))
			}},
		{"workload namespace enforcing privileged", typeNamespace, "namespace-pod-security", `"payments" enforces privileged`,
			func(m property.Map) property.Map {
				return m.Set("metadata", v(t, map[string]any{"name": "payments", "labels": map[string]any{
					podSecurityEnforceLabel: "privileged", podSecurityAuditLabel: "restricted", podSecurityWarnLabel: "restricted"}}))
			}},
		{"latest image", "kubernetes:apps/v1:DaemonSet", "no-latest-images", "is tagged latest",
			func(m property.Map) property.Map {
				return m.Set("spec", v(t, map[string]any{"template": map[string]any{"spec": map[string]any{
					"containers": []any{map[string]any{"image": "fluent/fluent-bit:latest"}}}}}))
			}},
		{"untagged image", "kubernetes:apps/v1:DaemonSet", "no-latest-images", "has no tag",
			func(m property.Map) property.Map {
				return m.Set("spec", v(t, map[string]any{"template": map[string]any{"spec": map[string]any{
					"initContainers": []any{map[string]any{"image": "registry.local:5000/init"}}}}}))
			}},
		{"chart version not pinned", typeHelmRelease, "no-latest-images", "version is not set",
			func(m property.Map) property.Map { return m.Delete("version") }},
		{"latest tag in chart values", typeHelmRelease, "no-latest-images", "values.image.tag is latest",
			func(m property.Map) property.Map {
				return m.Set("values", v(t, map[string]any{"image": map[string]any{"tag": "latest"}}))
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			found := Judge(Rules, c.resourceType, c.change(compliant(t)[c.resourceType]))
			if len(found) != 1 || len(found[c.rule]) == 0 {
				t.Fatalf("violations = %v, want rule %s only", found, c.rule)
			}
			if got := strings.Join(found[c.rule], "; "); !strings.Contains(got, c.want) {
				t.Errorf("%s says %q, want it to name %q", c.rule, got, c.want)
			}
		})
	}
}

// During a preview an input from another resource's output is unknown; no rule may refuse it
// (the update judges the resolved value).
func TestUnknownInputsAreJudgedOnUpdate(t *testing.T) {
	inputs := map[string]property.Map{
		typeLogGroup:       property.NewMap(map[string]property.Value{"kmsKeyId": computed}),
		typeLaunchTemplate: props(t, map[string]any{"metadataOptions": map[string]any{"httpTokens": "required"}}).Set("blockDeviceMappings", computed),
		typeEKSCluster: props(t, map[string]any{"accessConfig": map[string]any{"authenticationMode": "API"},
			"vpcConfig": map[string]any{"endpointPrivateAccess": true, "endpointPublicAccess": false}}).Set("encryptionConfig", computed),
	}
	for resourceType, m := range inputs {
		if found := Judge(Rules, resourceType, m); len(found) > 0 {
			t.Errorf("%s with unknown inputs refused: %v", resourceType, found)
		}
	}
}

// The program's log shipper runs in "logging" (security.NamespaceLogging; this module does not
// import the program). The engine checks of the committed stacks are the cross-check.
func TestPrivilegedOnlyForTheLogShipper(t *testing.T) {
	m := props(t, map[string]any{"metadata": map[string]any{"name": "logging", "labels": map[string]any{
		podSecurityEnforceLabel: "privileged", podSecurityAuditLabel: "privileged", podSecurityWarnLabel: "privileged"}}})
	if found := Judge(Rules, typeNamespace, m); len(found) > 0 {
		t.Errorf("the log shipper's namespace refused: %v", found)
	}
}

func TestEveryBucketNeedsItsOwnEncryptionConfiguration(t *testing.T) {
	bucket := func(urn, name string) Resource {
		return Resource{Type: typeBucketV2, URN: urn, Properties: props(t, map[string]any{"bucket": name})}
	}
	encryption := func(dependsOn string) Resource {
		return Resource{Type: typeBucketEncryption, URN: "urn:enc-" + dependsOn,
			Properties:   props(t, map[string]any{"rules": []any{map[string]any{"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "aws:kms"}}}}).Set("bucket", computed),
			Dependencies: map[string][]string{"bucket": {dependsOn}}}
	}
	resources := []Resource{bucket("urn:velero", "velero-x"), bucket("urn:logs", "s3logs-x"), encryption("urn:velero")}
	findings := StackRules[0].Check(resources)
	if len(findings) != 1 || findings[0].URN != "urn:logs" {
		t.Fatalf("findings = %v, want the access-log bucket only", findings)
	}
	if findings := StackRules[0].Check(append(resources, encryption("urn:logs"))); len(findings) != 0 {
		t.Errorf("findings = %v, want none once each bucket has its configuration", findings)
	}
}

func TestPackHoldsEveryRuleMandatory(t *testing.T) {
	pack, err := Pack(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(pack.Policies()), len(Rules)+len(StackRules); got != want {
		t.Fatalf("pack has %d policies, want %d", got, want)
	}
	for _, p := range pack.Policies() {
		if p.EnforcementLevel() != 1 { // pulumirpc.EnforcementLevel_MANDATORY
			t.Errorf("policy %s is not mandatory", p.Name())
		}
	}
}
