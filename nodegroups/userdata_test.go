package nodegroups

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	bareKeyPath  = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)
	tableHeader  = regexp.MustCompile(`^\[([^\[\]]+)\]$`)
	keyValueLine = regexp.MustCompile(`^([^=\s]+) = (.+)$`)
	basicString  = regexp.MustCompile(`^"[^"\\]*"$`)
)

// parseMergeableTOML parses the TOML subset that EKS can merge into Bottlerocket user data: table
// headers and key = value lines with bare (unquoted) keys, and values that are strings without
// escapes, booleans, integers or arrays of one such type. It returns the settings by full dotted
// path, and an error for anything outside the subset.
func parseMergeableTOML(text string) (map[string]string, error) {
	settings := map[string]string{}
	tables := map[string]bool{}
	table := ""
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if m := tableHeader.FindStringSubmatch(line); m != nil {
			if !bareKeyPath.MatchString(m[1]) || tables[m[1]] {
				return nil, fmt.Errorf("line %d: table %q is quoted, malformed or repeated", n+1, m[1])
			}
			table, tables[m[1]] = m[1], true
			continue
		}
		m := keyValueLine.FindStringSubmatch(line)
		if m == nil || table == "" || !bareKeyPath.MatchString(m[1]) {
			return nil, fmt.Errorf("line %d: %q is not `bare-key = value` inside a table", n+1, line)
		}
		if _, err := valueKind(m[2]); err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		path := table + "." + m[1]
		if _, dup := settings[path]; dup {
			return nil, fmt.Errorf("line %d: %s set twice", n+1, path)
		}
		settings[path] = m[2]
	}
	return settings, nil
}

// valueKind names a scalar's type, or checks an array holds one type only.
func valueKind(value string) (string, error) {
	switch {
	case basicString.MatchString(value):
		return "string", nil
	case value == "true" || value == "false":
		return "bool", nil
	case strings.HasPrefix(value, "[") && strings.HasSuffix(value, "]"):
		inner := strings.TrimSpace(value[1 : len(value)-1])
		if inner == "" {
			return "array", nil
		}
		first := ""
		for _, element := range strings.Split(inner, ",") {
			kind, err := valueKind(strings.TrimSpace(element))
			if err != nil || kind == "array" {
				return "", fmt.Errorf("array %s holds %q", value, element)
			}
			if first != "" && kind != first {
				return "", fmt.Errorf("array %s mixes %s and %s", value, first, kind)
			}
			first = kind
		}
		return "array", nil
	}
	if _, err := strconv.ParseInt(value, 10, 64); err != nil {
		return "", fmt.Errorf("value %s is not a plain string, boolean, integer or array", value)
	}
	return "int", nil
}

// The checker itself must reject what EKS's merge rejects, or the user data test proves nothing.
func TestParseMergeableTOMLRejectsUnmergeable(t *testing.T) {
	for name, text := range map[string]string{
		"quoted key":      "[settings.kubernetes.node-labels]\n\"nvidia.com/gpu\" = \"true\"",
		"quoted table":    "[settings.kubernetes.\"node-taints\"]\nx = 1",
		"mixed array":     "[settings.network]\nhosts = [\"a\", 1]",
		"nested array":    "[settings.network]\nhosts = [[1], [2]]",
		"outside a table": "enabled = true",
		"repeated table":  "[settings.kernel]\na = 1\n[settings.kernel]\nb = 2",
		"repeated key":    "[settings.kernel]\na = 1\na = 2",
		"escaped string":  "[settings.kernel]\na = \"x\\ty\"",
		"bare word":       "[settings.kernel]\na = integrity",
	} {
		if _, err := parseMergeableTOML(text); err == nil {
			t.Errorf("%s: accepted %q", name, text)
		}
	}
	if got, err := parseMergeableTOML("[a.b]\nlist = [\"x\", \"y\"]\nn = 3\nempty = []"); err != nil || len(got) != 3 {
		t.Errorf("valid subset rejected: %v %v", got, err)
	}
}

// G2: every launch template carries the same Bottlerocket settings, base64-encoded, mergeable by
// EKS, and without the bootstrap settings EKS injects itself.
func TestG2_UserDataIsMergeableBottlerocketTOML(t *testing.T) {
	plan := runPlan(t, nil)
	for _, lt := range plan.ByType(templateType) {
		decoded, err := base64.StdEncoding.DecodeString(lt.String("userData"))
		if err != nil {
			t.Fatalf("%s: user data is not base64: %v", lt.Name, err)
		}
		settings, err := parseMergeableTOML(string(decoded))
		if err != nil {
			t.Fatalf("%s: user data is not mergeable TOML: %v\n%s", lt.Name, err, decoded)
		}
		for path := range settings {
			for _, injected := range []string{"settings.kubernetes.api-server", "settings.kubernetes.cluster-certificate", "settings.kubernetes.cluster-name"} {
				if path == injected {
					t.Errorf("%s: user data sets %s, which EKS injects for Bottlerocket AMI types", lt.Name, path)
				}
			}
		}
		want := map[string]string{
			"settings.host-containers.admin.enabled":   "false",
			"settings.host-containers.control.enabled": "true",
			"settings.kernel.lockdown":                 `"integrity"`,
		}
		for path, value := range want {
			if settings[path] != value {
				t.Errorf("%s: %s = %q, want %s", lt.Name, path, settings[path], value)
			}
		}
	}
}
