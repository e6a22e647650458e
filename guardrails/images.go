package guardrails

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// workloadTypes hold a pod template; podSpecPath is where each keeps its pod spec.
var workloadTypes = []string{
	"kubernetes:core/v1:Pod",
	"kubernetes:apps/v1:Deployment",
	"kubernetes:apps/v1:DaemonSet",
	"kubernetes:apps/v1:StatefulSet",
	"kubernetes:apps/v1:ReplicaSet",
	"kubernetes:batch/v1:Job",
	"kubernetes:batch/v1:CronJob",
}

func podSpecPath(resourceType string) []string {
	switch resourceType {
	case "kubernetes:core/v1:Pod":
		return []string{"spec"}
	case "kubernetes:batch/v1:CronJob":
		return []string{"spec", "jobTemplate", "spec", "template", "spec"}
	}
	return []string{"spec", "template", "spec"}
}

// imageProblem judges one image reference: a digest pins it; otherwise it needs a tag, and the
// tag may not be latest. A registry's port (host:5000/app) is not a tag.
func imageProblem(image string) string {
	if strings.Contains(image, "@sha256:") {
		return ""
	}
	colon := strings.LastIndex(image, ":")
	if colon < 0 || colon < strings.LastIndex(image, "/") {
		return "has no tag, which means latest"
	}
	if image[colon+1:] == "latest" {
		return "is tagged latest"
	}
	return ""
}

func checkImages(resourceType string, props property.Map) []string {
	if resourceType == typeHelmRelease {
		return checkRelease(props)
	}
	var out []string
	spec := podSpecPath(resourceType)
	for _, kind := range []string{"initContainers", "containers", "ephemeralContainers"} {
		for i, container := range maps(props, append(spec, kind)...) {
			if unknown(container, "image") {
				continue
			}
			image := text(container, "image")
			if problem := imageProblem(image); problem != "" {
				out = append(out, fmt.Sprintf("%s.%s[%d].image %q %s", strings.Join(spec, "."), kind, i, image, problem))
			}
		}
	}
	return out
}

// checkRelease judges a Helm release: its chart version is pinned, and no value sets an image tag
// of latest (a "tag" key, or an image reference ending in :latest).
func checkRelease(props property.Map) []string {
	var out []string
	if !set(props, "version") {
		out = append(out, "version is not set: Helm installs the newest chart, whatever it ships")
	} else if text(props, "version") == "latest" {
		out = append(out, `version is "latest"`)
	}
	var walk func(path string, value property.Value)
	walk = func(path string, value property.Value) {
		switch {
		case value.IsMap():
			entries := value.AsMap().AsMap()
			keys := make([]string, 0, len(entries))
			for key := range entries {
				keys = append(keys, key)
			}
			sort.Strings(keys)
			for _, key := range keys {
				child := entries[key]
				if key == "tag" && child.IsString() && child.AsString() == "latest" {
					out = append(out, fmt.Sprintf("values%s.tag is latest", path))
					continue
				}
				walk(path+"."+key, child)
			}
		case value.IsArray():
			for i, element := range value.AsArray().AsSlice() {
				walk(fmt.Sprintf("%s[%d]", path, i), element)
			}
		case value.IsString() && strings.HasSuffix(value.AsString(), ":latest"):
			out = append(out, fmt.Sprintf("values%s %q is tagged latest", path, value.AsString()))
		}
	}
	if values, ok := at(props, "values"); ok {
		walk("", values)
	}
	return out
}
