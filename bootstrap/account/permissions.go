package account

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/acme/eks-platform/security"
)

// permissionsJSON is the deploy role's permissions as data: by Pulumi resource type, the IAM
// actions that read it and those that create, update, delete and tag it, with the ARN scope of
// each (STACK_SPEC A4). Source and date read are in the file.
//
//go:embed permissions.json
var permissionsJSON []byte

// Permissions is permissions.json.
type Permissions struct {
	Source string `json:"source"`
	Read   string `json:"read"`
	About  string `json:"about"`
	// EngineOnlyTypes are AWS types pulumi-eks creates inside its component: the offline plans
	// cannot list them, the engine plans do.
	EngineOnlyTypes map[string]string          `json:"engineOnlyTypes"`
	Scopes          map[string]Scope           `json:"scopes"`
	Types           map[string]TypePermissions `json:"types"`
	// Invokes are the data sources the platform calls, with the actions they need.
	Invokes map[string][]string `json:"invokes"`
}

// Scope is where a group of write actions applies: resource ARN patterns and an optional
// condition, both with the placeholders ${partition}, ${account}, ${region} and ${env}.
type Scope struct {
	Resources []string           `json:"resources"`
	Condition security.Condition `json:"condition,omitempty"`
	Why       string             `json:"why"`
}

// TypePermissions are the actions one resource type needs: Read for refresh and preview, Write by
// scope name for create, update, delete and tag.
type TypePermissions struct {
	Read  []string            `json:"read"`
	Write map[string][]string `json:"write"`
}

// Target is what the placeholders of a scope stand for in one environment. CopyRegion
// (${copyRegion}) is the backup copy's region; without one, the patterns naming it are left out.
type Target struct {
	Partition, Account, Region, Env string
	CopyRegion                      string
}

var (
	actionPattern = regexp.MustCompile(`^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$`)
	// readVerbs are the action prefixes that never change anything (the preview role's subset).
	readVerbs = []string{"Describe", "Get", "List"}
)

// IsReadAction says whether an action only reads: its name starts with Describe, Get or List.
func IsReadAction(action string) bool {
	_, name, _ := strings.Cut(action, ":")
	for _, verb := range readVerbs {
		if strings.HasPrefix(name, verb) {
			return true
		}
	}
	return false
}

// LoadPermissions reads permissions.json and checks it: every action is service:Action, every
// read action only reads, every write scope exists.
func LoadPermissions() (*Permissions, error) {
	return parsePermissions(permissionsJSON)
}

func parsePermissions(data []byte) (*Permissions, error) {
	var p Permissions
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("permissions.json: %w", err)
	}
	var problems []string
	check := func(where, action string, read bool) {
		switch {
		case !actionPattern.MatchString(action):
			problems = append(problems, fmt.Sprintf("%s: %q is not service:Action", where, action))
		case read && !IsReadAction(action):
			problems = append(problems, fmt.Sprintf("%s: read action %q does not start with %s", where, action, strings.Join(readVerbs, ", ")))
		}
	}
	for _, typ := range sortedKeys(p.Types) {
		perm := p.Types[typ]
		if len(perm.Write) == 0 {
			problems = append(problems, typ+": no write actions")
		}
		for _, a := range perm.Read {
			check(typ, a, true)
		}
		for _, scope := range sortedKeys(perm.Write) {
			if _, ok := p.Scopes[scope]; !ok {
				problems = append(problems, fmt.Sprintf("%s: scope %q is not in scopes", typ, scope))
			}
			for _, a := range perm.Write[scope] {
				check(typ, a, false)
			}
		}
	}
	for _, token := range sortedKeys(p.Invokes) {
		for _, a := range p.Invokes[token] {
			check(token, a, true)
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("permissions.json: %s", strings.Join(problems, "; "))
	}
	return &p, nil
}

// ReadActions are every type's and data source's read actions, sorted and unique: what a refresh
// or a preview calls.
func (p *Permissions) ReadActions() []string {
	set := map[string]bool{}
	for _, perm := range p.Types {
		for _, a := range perm.Read {
			set[a] = true
		}
	}
	for _, actions := range p.Invokes {
		for _, a := range actions {
			set[a] = true
		}
	}
	return sortedKeys(set)
}

// WriteStatements are the deploy role's write grants in one environment: one statement per
// scope, its actions the union over every type, sorted by scope name.
func (p *Permissions) WriteStatements(t Target) []security.Statement {
	byScope := map[string]map[string]bool{}
	for _, perm := range p.Types {
		for scope, actions := range perm.Write {
			if byScope[scope] == nil {
				byScope[scope] = map[string]bool{}
			}
			for _, a := range actions {
				byScope[scope][a] = true
			}
		}
	}
	statements := make([]security.Statement, 0, len(byScope))
	for _, name := range sortedKeys(byScope) {
		scope := p.Scopes[name]
		s := security.Statement{
			Sid:      "Write" + strings.ToUpper(name[:1]) + name[1:],
			Effect:   security.Allow,
			Action:   sortedKeys(byScope[name]),
			Resource: t.fill(scope.Resources),
		}
		if len(scope.Condition) > 0 {
			s.Condition = security.Condition{}
			for op, keys := range scope.Condition {
				s.Condition[op] = map[string]security.StringList{}
				for key, values := range keys {
					s.Condition[op][key] = t.fill(values)
				}
			}
		}
		statements = append(statements, s)
	}
	return statements
}

// fill replaces the placeholders in each pattern.
func (t Target) fill(patterns []string) security.StringList {
	r := strings.NewReplacer("${partition}", t.Partition, "${account}", t.Account, "${region}", t.Region, "${env}", t.Env,
		"${copyRegion}", t.CopyRegion)
	out := make(security.StringList, 0, len(patterns))
	for _, p := range patterns {
		if t.CopyRegion == "" && strings.Contains(p, "${copyRegion}") {
			continue
		}
		out = append(out, r.Replace(p))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
