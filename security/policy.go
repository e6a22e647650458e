package security

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// policyLanguageVersion is the current IAM policy language; the older "2008-10-17" lacks policy
// variables and some condition operators.
const policyLanguageVersion = "2012-10-17"

// Statement effects.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// PolicyDocument is an IAM policy (identity, trust, key or bucket policy) as Go data. Render it
// with JSON; never write a policy as a JSON string by hand.
type PolicyDocument struct {
	// Version defaults to 2012-10-17 when empty.
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one policy statement. A statement without Principal belongs to an identity policy
// and must name its resources; one with Principal belongs to a resource or trust policy.
type Statement struct {
	Sid    string `json:"Sid,omitempty"`
	Effect string `json:"Effect"`
	// Principal maps a principal type (AWS, Service, Federated) to its identifier.
	Principal map[string]StringList `json:"Principal,omitempty"`
	Action    StringList            `json:"Action"`
	Resource  StringList            `json:"Resource,omitempty"`
	Condition Condition             `json:"Condition,omitempty"`
}

// Condition maps a condition operator (StringEquals, ArnLike, Bool, Null, ...) to condition keys
// and the values each key may take.
type Condition map[string]map[string]StringList

// StringList is a policy element that holds one or more strings. It is written as a plain string
// when it holds one value and as an array otherwise, the way AWS itself writes policies, and reads
// either form.
type StringList []string

// MarshalJSON writes a single value as a string and several as an array.
func (l StringList) MarshalJSON() ([]byte, error) {
	if len(l) == 1 {
		return json.Marshal(l[0])
	}
	return json.Marshal([]string(l))
}

// String is the list's values joined by commas: the single value of a one-element list.
func (l StringList) String() string { return strings.Join(l, ",") }

// UnmarshalJSON reads a string or an array of strings.
func (l *StringList) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*l = StringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return fmt.Errorf("policy element is neither a string nor a list of strings: %w", err)
	}
	*l = many
	return nil
}

// JSON validates the document and renders it as compact JSON, the form IAM counts against its
// size limits.
func (d PolicyDocument) JSON() (string, error) {
	if len(d.Statement) == 0 {
		return "", errors.New("security: a policy document needs at least one statement")
	}
	for i, s := range d.Statement {
		if err := s.validate(); err != nil {
			return "", fmt.Errorf("security: policy statement %d (%q): %w", i, s.Sid, err)
		}
	}
	if d.Version == "" {
		d.Version = policyLanguageVersion
	}
	rendered, err := json.Marshal(d)
	return string(rendered), err
}

func (s Statement) validate() error {
	switch {
	case s.Effect != Allow && s.Effect != Deny:
		return fmt.Errorf("effect %q is neither %s nor %s", s.Effect, Allow, Deny)
	case len(s.Action) == 0:
		return errors.New("no action")
	case len(s.Principal) == 0 && len(s.Resource) == 0:
		// IAM rejects an identity-policy statement without Resource.
		return errors.New("no principal and no resource")
	}
	return nil
}
