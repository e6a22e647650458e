package config

import (
	"path/filepath"
	"testing"
)

func loadStack(t *testing.T, stack string) *Config {
	t.Helper()
	root, err := FindProjectRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	values, err := StackValues(filepath.Join(root, "Pulumi.yaml"), filepath.Join(root, "Pulumi."+stack+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(stack, func(k string) (string, bool) { v, ok := values[k]; return v, ok })
	if err != nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	return c
}

func TestStackFilesAreValid(t *testing.T) {
	for _, s := range []string{"dev", "staging", "prod"} {
		c := loadStack(t, s)
		t.Logf("%s: %+v", s, c)
	}
}
