package stack_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/bucket"
	"github.com/acme/eks-platform/internal/fakecloud"
	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/security"
)

// Issue 22, keys by duty, from the roles' side: every IAM policy of the plan that grants a KMS
// action names keys by ARN, never "*", and only the keys of its role's duty. The key ARNs are
// computed by the mocks (internal/fakecloud), so each is traced back to its key resource.
func TestIAMPoliciesGrantOnlyTheKeysOfTheirDuty(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		dutyOfKeyID := map[string]string{}
		for _, key := range plan.ByType("aws:kms/key:Key") {
			id, _ := fakecloud.Create(fakecloud.Resource{Type: key.Type, Name: key.Name, Custom: true})
			dutyOfKeyID[id] = strings.TrimSuffix(strings.TrimPrefix(key.Name, "eks-"), "-"+cfg.Suffix)
		}
		allowed := map[string][]string{ // policy name (without the suffix) -> the duties it may use
			"external-secrets":          {"secrets"},
			"ebs-csi-driver":            {"data"},
			"velero":                    {"data", "velero-copy-key"},
			"velero-replication-policy": {"data", "velero-copy-key"},
		}
		granting := map[string]bool{}
		for _, r := range plan.Resources {
			text, ok := r.Inputs["policy"].(string)
			if !ok || !strings.HasPrefix(r.Type, "aws:iam/") {
				continue
			}
			// Unknown fields are refused: a NotAction or NotResource statement would otherwise
			// read as one with no action and no resource, and pass unchecked.
			var doc security.PolicyDocument
			dec := json.NewDecoder(strings.NewReader(text))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("%s: policy is not one this test reads: %v", r.Name, err)
			}
			for _, s := range doc.Statement {
				if s.Effect != security.Allow || !grantsKMS(s.Action) {
					continue
				}
				duties, known := allowed[strings.TrimSuffix(r.Name, "-"+cfg.Suffix)]
				if !known {
					t.Errorf("%s (%s) grants %v on %v: no role of the platform but the ones listed here uses a key", r.Name, s.Sid, s.Action, s.Resource)
					continue
				}
				granting[strings.TrimSuffix(r.Name, "-"+cfg.Suffix)] = true
				for _, arn := range s.Resource {
					duty, isKey := dutyOfKeyID[arn[strings.LastIndex(arn, "/")+1:]]
					// A copy in a backup account is granted by its alias there (issue 22): any key
					// of that account in the copy region, narrowed to the one with the copy's alias.
					copyKeys := "arn:aws:kms:" + cfg.Platform.BackupCopyRegion + ":" + cfg.Platform.BackupCopyAccountID + ":key/*"
					if cfg.Platform.BackupCopyAccountID != "" && arn == copyKeys &&
						slices.Equal(s.Condition["ForAnyValue:StringEquals"]["kms:ResourceAliases"], security.StringList{bucket.CopyKeyAlias(cfg.Suffix)}) {
						duty, isKey = "velero-copy-key", true
					}
					switch {
					case !strings.Contains(arn, ":key/") || !isKey:
						t.Errorf("%s (%s) grants KMS on %q, not on a platform key", r.Name, s.Sid, arn)
					case !slices.Contains(duties, duty):
						t.Errorf("%s (%s) grants the %s key; its duty allows %v", r.Name, s.Sid, duty, duties)
					}
				}
			}
		}
		roles := []string{"external-secrets", "ebs-csi-driver", "velero"}
		if cfg.Platform.BackupCopyRegion != "" {
			roles = append(roles, "velero-replication-policy")
		}
		for _, role := range roles {
			if !granting[role] {
				t.Errorf("the %s policy grants no key: the test no longer sees it", role)
			}
		}
	})
}

// grantsKMS says whether a statement allows any KMS action.
func grantsKMS(actions security.StringList) bool {
	for _, a := range actions {
		if a == "*" || strings.HasPrefix(strings.ToLower(a), "kms:") {
			return true
		}
	}
	return false
}
