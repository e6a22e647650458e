package charts

import (
	"encoding/json"
	"fmt"
	"sort"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// CRDSchemas are the OpenAPI schemas of the CRDs' served versions.
func CRDSchemas(crds []Object) (map[schema.GroupVersionKind]*apiextensionsv1.JSONSchemaProps, error) {
	out := map[schema.GroupVersionKind]*apiextensionsv1.JSONSchemaProps{}
	decoded, err := decodeCRDs(crds)
	if err != nil {
		return nil, err
	}
	for _, crd := range decoded {
		for _, v := range crd.Spec.Versions {
			if v.Served && v.Schema != nil && v.Schema.OpenAPIV3Schema != nil {
				out[schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}] = v.Schema.OpenAPIV3Schema
			}
		}
	}
	return out, nil
}

// decodeCRDs reads the CRD objects of a rendering into their API type.
func decodeCRDs(crds []Object) ([]apiextensionsv1.CustomResourceDefinition, error) {
	out := make([]apiextensionsv1.CustomResourceDefinition, 0, len(crds))
	for _, o := range crds {
		raw, err := json.Marshal(o.Body)
		if err != nil {
			return nil, err
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := json.Unmarshal(raw, &crd); err != nil {
			return nil, fmt.Errorf("%s: %w", o, err)
		}
		out = append(out, crd)
	}
	return out, nil
}

// UnknownFields lists the fields of a custom resource that its CRD's structural schema does not
// declare. The API server prunes them without an error, so a misspelt field in a
// ClusterSecretStore or a Velero Schedule would simply vanish.
func UnknownFields(body map[string]any, s *apiextensionsv1.JSONSchemaProps) []string {
	var unknown []string
	var walk func(path string, value any, s *apiextensionsv1.JSONSchemaProps)
	walk = func(path string, value any, s *apiextensionsv1.JSONSchemaProps) {
		if s == nil || (s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields) {
			return
		}
		switch v := value.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				child := path + "." + k
				if path == "" && (k == "apiVersion" || k == "kind" || k == "metadata") {
					continue // every object has them; the server validates metadata itself
				}
				if prop, ok := s.Properties[k]; ok {
					walk(child, v[k], &prop)
					continue
				}
				if s.AdditionalProperties != nil {
					if s.AdditionalProperties.Schema != nil {
						walk(child, v[k], s.AdditionalProperties.Schema)
					}
					continue
				}
				unknown = append(unknown, child[1:])
			}
		case []any:
			if s.Items != nil && s.Items.Schema != nil {
				for i, item := range v {
					walk(fmt.Sprintf("%s[%d]", path, i), item, s.Items.Schema)
				}
			}
		}
	}
	walk("", body, s)
	return unknown
}
