package charts

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// addonSchemas is addons/schemas.json: a JSON schema for each add-on's configurationValues, with
// its sources.
type addonSchemas struct {
	Addons map[string]struct {
		Sources []string        `json:"sources"`
		Schema  json.RawMessage `json:"schema"`
	} `json:"addons"`
}

func compileAddonSchema(t *testing.T, name string, raw json.RawMessage) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	url := "addons/" + name + ".json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("schema of %s: %v", name, err)
	}
	return s
}

func loadAddonSchemas(t *testing.T) addonSchemas {
	t.Helper()
	raw, err := os.ReadFile("addons/schemas.json")
	if err != nil {
		t.Fatal(err)
	}
	var schemas addonSchemas
	if err := json.Unmarshal(raw, &schemas); err != nil {
		t.Fatal(err)
	}
	return schemas
}

// TestAddonConfigurationValues checks each EKS add-on's configurationValues against its schema:
// CreateAddon rejects a document that does not match it. An add-on configured without a schema
// here fails, so a new configuration comes with its source.
func TestAddonConfigurationValues(t *testing.T) {
	schemas := loadAddonSchemas(t)
	for _, name := range Stacks {
		plan, err := LoadPlan(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, addon := range plan.Addons() {
			if addon.ConfigurationValues == "" {
				continue
			}
			t.Run(name+"/"+addon.Name, func(t *testing.T) {
				entry, ok := schemas.Addons[addon.Name]
				if !ok {
					t.Fatalf("add-on %s %s is configured but addons/schemas.json has no schema for it: add one with its source", addon.Name, addon.Version)
				}
				doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(addon.ConfigurationValues)))
				if err != nil {
					t.Fatalf("configurationValues of %s is not JSON: %v", addon.Name, err)
				}
				if err := compileAddonSchema(t, addon.Name, entry.Schema).Validate(doc); err != nil {
					t.Errorf("configurationValues of %s %s: %v", addon.Name, addon.Version, err)
				}
			})
		}
	}
}

// TestAddonSchemaCatchesBadConfiguration breaks the prod stack's add-on configurations on purpose:
// a misspelt key, a boolean where the VPC CNI wants the string "true", and an EBS volume tag value
// with a character EBS tags do not allow.
func TestAddonSchemaCatchesBadConfiguration(t *testing.T) {
	schemas := loadAddonSchemas(t)
	for _, c := range []struct{ addon, config string }{
		{"vpc-cni", `{"enableNetworkPolicies":"true"}`},
		{"vpc-cni", `{"enableNetworkPolicy":true}`},
		{"aws-ebs-csi-driver", `{"controller":{"extraVolumeTags":{"Owner":"platform team <ops>"}}}`},
		{"amazon-cloudwatch-observability", `{"containerLogs":{"enabled":"false"}}`},
	} {
		t.Run(c.addon+" "+c.config, func(t *testing.T) {
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(c.config)))
			if err != nil {
				t.Fatal(err)
			}
			err = compileAddonSchema(t, c.addon, schemas.Addons[c.addon].Schema).Validate(doc)
			if err == nil {
				t.Fatalf("the %s schema accepted %s", c.addon, c.config)
			}
			t.Logf("caught: %v", err)
		})
	}
}
