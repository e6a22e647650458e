package guardrails

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// at follows a path of map keys through a resource's inputs. It returns the value found and
// whether every key was present. Secret values are read like any other: a policy judges the
// value, never shows it.
func at(props property.Map, path ...string) (property.Value, bool) {
	value := property.New(props)
	for _, key := range path {
		if !value.IsMap() {
			return property.Value{}, false
		}
		next, ok := value.AsMap().GetOk(key)
		if !ok || next.IsNull() {
			return property.Value{}, false
		}
		value = next
	}
	return value, true
}

// unknown reports a value the engine does not know yet: during a preview, an input that comes
// from another resource's output. The policy is judged on it again during the update, when the
// engine sends the resolved inputs.
func unknown(props property.Map, path ...string) bool {
	value, ok := at(props, path...)
	return ok && value.IsComputed()
}

// text returns the string at path, or "" when it is absent, unknown or not a string.
func text(props property.Map, path ...string) string {
	value, ok := at(props, path...)
	if !ok || !value.IsString() {
		return ""
	}
	return value.AsString()
}

// set reports a non-empty string, or an unknown value (a key ARN from a key created in the same
// update is unknown during a preview).
func set(props property.Map, path ...string) bool {
	value, ok := at(props, path...)
	return ok && (value.IsComputed() || (value.IsString() && value.AsString() != ""))
}

// flag returns the boolean at path, and whether it is present and known. Some providers carry
// booleans as strings ("true"), as the launch template's ebs.encrypted does.
func flag(props property.Map, path ...string) (value, known bool) {
	v, ok := at(props, path...)
	switch {
	case !ok || v.IsComputed():
		return false, false
	case v.IsBool():
		return v.AsBool(), true
	case v.IsString():
		return strings.EqualFold(v.AsString(), "true"), true
	}
	return false, false
}

// list returns the elements of the array at path (nil when absent or unknown).
func list(props property.Map, path ...string) []property.Value {
	value, ok := at(props, path...)
	if !ok || !value.IsArray() {
		return nil
	}
	return value.AsArray().AsSlice()
}

// maps returns the map elements of the array at path.
func maps(props property.Map, path ...string) []property.Map {
	var out []property.Map
	for _, element := range list(props, path...) {
		if element.IsMap() {
			out = append(out, element.AsMap())
		}
	}
	return out
}

// texts returns the string elements of the array at path.
func texts(props property.Map, path ...string) []string {
	var out []string
	for _, element := range list(props, path...) {
		if element.IsString() {
			out = append(out, element.AsString())
		}
	}
	return out
}
