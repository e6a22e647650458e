package observability

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// Issue 21: the platform ships aws-for-fluent-bit 3.x, which carries Fluent Bit 4.x. Every
// property of the generated fluent-bit.conf must be one that Fluent Bit 4 accepts in its section,
// at the oldest and the newest 4.x tag read (testdata/fluent-bit-properties.json, written by
// testdata/fluent-bit-properties.sh from the Fluent Bit sources). Fluent Bit refuses an unknown
// property and the pod never starts, which a preview cannot show.
func TestFluentBitConfigIsAcceptedByFluentBit4(t *testing.T) {
	data, err := os.ReadFile("testdata/fluent-bit-properties.json")
	if err != nil {
		t.Fatal(err)
	}
	var releases map[string]map[string]any
	if err := json.Unmarshal(data, &releases); err != nil {
		t.Fatal(err)
	}
	config := fluentBitConfig("eks-platform-dev", "us-east-1")
	for tag, release := range releases {
		accepted := func(section string) map[string]bool {
			set := map[string]bool{}
			list, _ := release[section].([]any)
			for _, v := range list {
				set[v.(string)] = true
			}
			return set
		}
		checked := 0
		for _, section := range parseSections(t, config) {
			what := section.name
			if section.name != "SERVICE" {
				what += " " + section.values["name"]
			}
			props := accepted(what)
			if len(props) == 0 {
				t.Errorf("%s: Fluent Bit %s has no %s (or testdata/fluent-bit-properties.json lacks it)", tag, release["source"], what)
				continue
			}
			for _, key := range section.keys {
				checked++
				if key != "name" && !props[key] {
					t.Errorf("%s: [%s] %s is not a property Fluent Bit %s accepts", tag, what, key, tag)
				}
			}
			if parser, ok := section.values["multiline.parser"]; ok && !accepted("multilineParsers")[parser] {
				t.Errorf("%s: [%s] multiline.parser %s is not a built-in parser of Fluent Bit %s", tag, what, parser, tag)
			}
		}
		if checked == 0 {
			t.Errorf("%s: no property checked", tag)
		}
	}
}

type parsedSection struct {
	name   string
	keys   []string          // lower-case, in order
	values map[string]string // by lower-case key
}

// parseSections reads Fluent Bit's classic format as renderConfig writes it.
func parseSections(t *testing.T, text string) []parsedSection {
	t.Helper()
	var sections []parsedSection
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			sections = append(sections, parsedSection{name: strings.Trim(line, "[]"), values: map[string]string{}})
		case len(sections) == 0:
			t.Fatalf("property outside a section: %q", line)
		default:
			key, value, _ := strings.Cut(line, " ")
			key = strings.ToLower(key)
			s := &sections[len(sections)-1]
			s.keys = append(s.keys, key)
			s.values[key] = strings.TrimSpace(value)
		}
	}
	return sections
}
