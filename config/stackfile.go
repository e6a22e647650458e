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
// as the CLI encodes them (scalars as text, lists as JSON). A stack-file key in this project's
// namespace that Pulumi.yaml does not declare is an error: it is almost always a typo that the
// program would otherwise silently ignore.
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
	declared := map[string]bool{}
	for key, decl := range project.Config {
		key = qualify(project.Name, key)
		declared[key] = true
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
	var unknown []string
	for key, value := range stack.Config {
		key = qualify(project.Name, key)
		if strings.HasPrefix(key, project.Name+":") && !declared[key] {
			unknown = append(unknown, key)
			continue
		}
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
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("%s sets %s, not declared in %s (typo?)", stackFile,
			strings.Join(unknown, ", "), filepath.Base(projectFile))
	}
	return values, nil
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
