package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// SecretPlaceholder stands for a `secure:` stack value, which cannot be decrypted offline.
const SecretPlaceholder = "[secret]"

// StackValues reads the configuration the Pulumi CLI would hand the program for a stack: the
// project defaults and values from Pulumi.yaml, overridden by the stack file. Values are encoded
// as the CLI encodes them (scalars as text, lists as JSON). Every key is kept, declared or not:
// the program itself refuses a key it does not read, on every path (config.checkKeys, issue 18).
func StackValues(projectFile, stackFile string) (map[string]string, error) {
	var project struct {
		Name   string `yaml:"name"`
		Config map[string]struct {
			Default any `yaml:"default"`
			Value   any `yaml:"value"`
		} `yaml:"config"`
	}
	if err := readYAML(projectFile, &project); err != nil {
		return nil, err
	}
	values := map[string]string{}
	for key, decl := range project.Config {
		key = qualify(project.Name, key)
		value := decl.Default
		if decl.Value != nil {
			value = decl.Value
		}
		encoded, err := encode(value)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", projectFile, key, err)
		}
		values[key] = encoded
	}

	var stack struct {
		Config map[string]any `yaml:"config"`
	}
	if err := readYAML(stackFile, &stack); err != nil {
		return nil, err
	}
	for key, value := range stack.Config {
		key = qualify(project.Name, key)
		if m, ok := value.(map[string]any); ok && m["secure"] != nil {
			values[key] = SecretPlaceholder
			continue
		}
		encoded, err := encode(value)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", stackFile, key, err)
		}
		values[key] = encoded
	}
	return values, nil
}

// StackNames lists the stacks whose files (Pulumi.<stack>.yaml) are in the project directory root:
// dev, staging and prod first, in deployment order, then any other in name order. Tests and the
// cost table cover every stack file found, so a new one is checked like the committed three
// (issue 18).
func StackNames(root string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(root, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	order := map[string]int{EnvDev: 0, EnvStaging: 1, EnvProd: 2}
	names := make([]string, 0, len(files))
	for _, file := range files {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(file), "Pulumi."), ".yaml"))
	}
	sort.Slice(names, func(i, j int) bool {
		oi, iKnown := order[names[i]]
		oj, jKnown := order[names[j]]
		switch {
		case iKnown && jKnown:
			return oi < oj
		case iKnown != jKnown:
			return iKnown
		default:
			return names[i] < names[j]
		}
	})
	if len(names) == 0 {
		return nil, fmt.Errorf("no stack file Pulumi.<stack>.yaml in %s", root)
	}
	return names, nil
}

// ProjectKeys lists the keys Pulumi.yaml declares, sorted, fully qualified.
func ProjectKeys(projectFile string) ([]string, error) {
	var project struct {
		Name   string         `yaml:"name"`
		Config map[string]any `yaml:"config"`
	}
	if err := readYAML(projectFile, &project); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(project.Config))
	for key := range project.Config {
		keys = append(keys, qualify(project.Name, key))
	}
	sort.Strings(keys)
	return keys, nil
}

func qualify(project, key string) string {
	if strings.Contains(key, ":") {
		return key
	}
	return project + ":" + key
}

func readYAML(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func encode(value any) (string, error) {
	switch v := value.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case int, bool, float64:
		return fmt.Sprint(v), nil
	default:
		data, err := json.Marshal(v)
		return string(data), err
	}
}

// FindProjectRoot walks up from dir to the folder holding Pulumi.yaml, so tests and tools
// resolve files from the project root, never by counting parent directories (X4, seed 000 #9).
func FindProjectRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no Pulumi.yaml in %s or any parent folder", dir)
		}
		dir = parent
	}
}
