package security

import (
	"encoding/json"
	"strings"
	"testing"
)

// decodePolicy reads a rendered policy back into Go data, failing the test on malformed JSON.
func decodePolicy(t *testing.T, rendered string) PolicyDocument {
	t.Helper()
	var doc PolicyDocument
	if err := json.Unmarshal([]byte(rendered), &doc); err != nil {
		t.Fatalf("policy is not valid JSON: %v\n%s", err, rendered)
	}
	if doc.Version != policyLanguageVersion {
		t.Errorf("policy version %q, want %q", doc.Version, policyLanguageVersion)
	}
	return doc
}

func TestPolicyJSONWritesAWSShapes(t *testing.T) {
	rendered, err := PolicyDocument{Statement: []Statement{{
		Effect:    Allow,
		Action:    StringList{"s3:GetObject"},
		Resource:  StringList{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket"},
		Condition: Condition{"Bool": {"aws:SecureTransport": {"true"}}},
	}}}.JSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",` +
		`"Resource":["arn:aws:s3:::bucket/*","arn:aws:s3:::bucket"],"Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`
	if rendered != want {
		t.Errorf("rendered\n%s\nwant\n%s", rendered, want)
	}
	doc := decodePolicy(t, rendered)
	if got := doc.Statement[0].Resource; len(got) != 2 || got[1] != "arn:aws:s3:::bucket" {
		t.Errorf("resources did not round-trip: %v", got)
	}
	if got := doc.Statement[0].Action; len(got) != 1 || got[0] != "s3:GetObject" {
		t.Errorf("single action did not round-trip: %v", got)
	}
}

func TestPolicyJSONKeepsAnExplicitVersion(t *testing.T) {
	rendered, err := PolicyDocument{Version: "2008-10-17", Statement: []Statement{{
		Effect: Deny, Principal: map[string]StringList{"AWS": {"*"}}, Action: StringList{"s3:*"},
	}}}.JSON()
	if err != nil || !strings.HasPrefix(rendered, `{"Version":"2008-10-17"`) {
		t.Errorf("got %s, %v", rendered, err)
	}
}

func TestPolicyJSONRejectsInvalidStatements(t *testing.T) {
	cases := map[string]PolicyDocument{
		"at least one statement":       {},
		"effect":                       {Statement: []Statement{{Effect: "allow", Action: StringList{"s3:GetObject"}, Resource: StringList{"*"}}}},
		"no action":                    {Statement: []Statement{{Effect: Allow, Resource: StringList{"*"}}}},
		"no principal and no resource": {Statement: []Statement{{Effect: Allow, Action: StringList{"s3:GetObject"}}}},
	}
	for want, doc := range cases {
		if _, err := doc.JSON(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want one mentioning %q", err, want)
		}
	}
}

func TestStringListRejectsNonStrings(t *testing.T) {
	var l StringList
	if err := json.Unmarshal([]byte(`[1, 2]`), &l); err == nil {
		t.Error("numbers accepted as a policy element")
	}
}
