package charts

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
)

// FixturesEnv names the directory that holds the chart fixtures, one <name>-<version>/ directory
// per pinned chart. Unset, it is <repo>/../shared/charts, where CI finds the steering repo's
// shared/ beside its clone.
const FixturesEnv = "EKS_PLATFORM_CHART_FIXTURES"

// Fixture is one pinned chart as recorded in fixtures.json: where its sources come from and the
// digest of the chart directory exported from there.
type Fixture struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	AppVersion  string `json:"appVersion"`
	KubeVersion string `json:"kubeVersion"` // the chart's own constraint, empty when it states none
	Released    string `json:"released"`    // date of the release tag's commit
	Repository  string `json:"repository"`  // GitHub owner/name
	Tag         string `json:"tag"`
	Commit      string `json:"commit"`
	Path        string `json:"path"`   // the chart directory inside the repository
	Digest      string `json:"digest"` // see DirDigest
	// CRDPath is, for a chart whose packaging step generates its CRD templates (external-secrets
	// copies them in from the repository's CRD bases), that directory in the repository; it is
	// exported beside the chart as <name>-<version>-crds/ with the digest CRDDigest.
	CRDPath   string `json:"crdPath,omitempty"`
	CRDDigest string `json:"crdDigest,omitempty"`
	// KubernetesSupport is what the chart's project says about the Kubernetes versions it runs on.
	KubernetesSupport string `json:"kubernetesSupport"`
}

// Manifest is fixtures.json.
type Manifest struct {
	Read   string    `json:"read"` // the date the tags were read
	Charts []Fixture `json:"charts"`
}

// LoadManifest reads fixtures.json.
func LoadManifest() (*Manifest, error) {
	raw, err := os.ReadFile("fixtures.json")
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("fixtures.json: %w", err)
	}
	return &m, nil
}

// Find is the fixture of one chart version.
func (m *Manifest) Find(name, version string) (Fixture, bool) {
	for _, f := range m.Charts {
		if f.Name == name && f.Version == version {
			return f, true
		}
	}
	return Fixture{}, false
}

// FixtureRoot is the directory holding the chart fixtures.
func FixtureRoot() (string, error) {
	if dir := os.Getenv(FixturesEnv); dir != "" {
		return dir, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(root), "shared", "charts"), nil
}

// ErrFixtureMissing is returned when a chart's directory is absent from the fixture root: the
// tests then skip, naming it.
var ErrFixtureMissing = errors.New("chart fixture missing")

// DirDigest is "sha256:" and the SHA-256 of the `sha256sum` listing of every regular file under
// dir, sorted by relative path in byte order, i.e. of
//
//	find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 sha256sum
//
// run in dir, which is how fixtures.sh computes it.
func DirDigest(dir string) (string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	listing := sha256.New()
	for _, f := range files {
		content, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(listing, "%x  %s\n", sha256.Sum256(content), f)
	}
	return fmt.Sprintf("sha256:%x", listing.Sum(nil)), nil
}

// LoadChart loads the fixture of one pinned chart after checking it is the recorded one: the
// pin must have an entry in fixtures.json, the directory's digest must equal it, and the chart
// must say it is that name and version.
func LoadChart(m *Manifest, name, version string) (*chart.Chart, Fixture, error) {
	fixture, ok := m.Find(name, version)
	if !ok {
		return nil, fixture, fmt.Errorf("chart %s is pinned at %s but fixtures.json has no entry for that version: record it (fixtures.sh prints the digest)", name, version)
	}
	root, err := FixtureRoot()
	if err != nil {
		return nil, fixture, err
	}
	dir := filepath.Join(root, name+"-"+version)
	if _, err := os.Stat(filepath.Join(dir, "Chart.yaml")); err != nil {
		return nil, fixture, fmt.Errorf("%w: %s (export it with tests/charts/fixtures.sh from %s at %s, or point %s at a directory that has it)",
			ErrFixtureMissing, dir, fixture.Repository, fixture.Tag, FixturesEnv)
	}
	digest, err := DirDigest(dir)
	if err != nil {
		return nil, fixture, err
	}
	if digest != fixture.Digest {
		return nil, fixture, fmt.Errorf("chart fixture %s has digest %s, fixtures.json records %s: it is not %s at %s", dir, digest, fixture.Digest, fixture.Repository, fixture.Tag)
	}
	if fixture.CRDPath != "" {
		crdDir := dir + "-crds"
		digest, err := DirDigest(crdDir)
		if err != nil {
			return nil, fixture, fmt.Errorf("%w: %s (%v)", ErrFixtureMissing, crdDir, err)
		}
		if digest != fixture.CRDDigest {
			return nil, fixture, fmt.Errorf("CRD fixture %s has digest %s, fixtures.json records %s: it is not %s of %s at %s", crdDir, digest, fixture.CRDDigest, fixture.CRDPath, fixture.Repository, fixture.Tag)
		}
	}
	c, err := loader.LoadDir(dir)
	if err != nil {
		return nil, fixture, fmt.Errorf("loading %s: %w", dir, err)
	}
	if c.Metadata.Name != name || c.Metadata.Version != version {
		return nil, fixture, fmt.Errorf("chart fixture %s is %s %s, the pin is %s %s", dir, c.Metadata.Name, c.Metadata.Version, name, version)
	}
	return c, fixture, nil
}

// GeneratedCRDs are the CRDs a chart's packaging adds to it (Fixture.CRDPath), read from the
// fixture exported beside the chart.
func GeneratedCRDs(fixture Fixture) ([]Object, error) {
	if fixture.CRDPath == "" {
		return nil, nil
	}
	root, err := FixtureRoot()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, fixture.Name+"-"+fixture.Version+"-crds")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var out []Object
	for _, f := range files {
		content, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		objects, err := splitYAML(filepath.Base(f), string(content))
		if err != nil {
			return nil, err
		}
		for _, o := range objects {
			if o.Kind() == "CustomResourceDefinition" {
				out = append(out, o)
			}
		}
	}
	return out, nil
}
