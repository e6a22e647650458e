package account

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/security"
)

// TrustPolicy lets only GitHub Actions jobs of repository (owner/name) running in the GitHub
// environment assume the role: the audience and the exact subject, never a wildcard (A4).
func TrustPolicy(providerArn, repository, environment string) security.PolicyDocument {
	return security.PolicyDocument{Statement: []security.Statement{{
		Sid:       "GitHubActionsOfThisRepositoryAndEnvironment",
		Effect:    security.Allow,
		Principal: map[string]security.StringList{"Federated": {providerArn}},
		Action:    security.StringList{"sts:AssumeRoleWithWebIdentity"},
		Condition: security.Condition{"StringEquals": {
			GitHubIssuer + ":aud": {GitHubAudience},
			GitHubIssuer + ":sub": {fmt.Sprintf("repo:%s:environment:%s", repository, environment)},
		}},
	}}}
}

// ReadPolicy is the preview role's view of the platform: the read actions of every type and data
// source, on every resource (most Describe and List calls have no resource-level permissions).
func ReadPolicy(p *Permissions) security.PolicyDocument {
	return security.PolicyDocument{Statement: []security.Statement{{
		Sid: "ReadThePlatform", Effect: security.Allow, Action: p.ReadActions(), Resource: security.StringList{"*"},
	}}}
}

// denyBootstrapIdentities keeps the deploy role off the roles and the OIDC provider the
// bootstrap owns: its role scope (<base>-<env>) would otherwise include its own name.
func denyBootstrapIdentities(t Target) security.Statement {
	iamARN := fmt.Sprintf("arn:%s:iam::%s:", t.Partition, t.Account)
	return security.Statement{
		Sid: "DenyTheBootstrapIdentities", Effect: security.Deny, Action: security.StringList{"iam:*"},
		Resource: security.StringList{
			iamARN + "role/" + deployRolePrefix + "*", iamARN + "role/" + previewRolePrefix + "*",
			iamARN + "oidc-provider/" + GitHubIssuer,
		},
	}
}

// DeployPolicies are the deploy role's managed policies for one environment, rendered: the read
// actions, every write scope of permissions.json and the deny of the bootstrap's identities,
// packed in order into as few documents as IAM's size limit allows.
func DeployPolicies(p *Permissions, t Target) ([]string, error) {
	statements := append([]security.Statement{ReadPolicy(p).Statement[0]}, p.WriteStatements(t)...)
	statements = append(statements, denyBootstrapIdentities(t))
	var docs []string
	var current []security.Statement
	for _, s := range statements {
		next, err := security.PolicyDocument{Statement: append(append([]security.Statement{}, current...), s)}.JSON()
		if err != nil {
			return nil, err
		}
		if len(next) <= maxManagedPolicyChars || len(current) == 0 {
			current = append(current, s)
			continue
		}
		doc, err := security.PolicyDocument{Statement: current}.JSON()
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
		current = []security.Statement{s}
	}
	last, err := security.PolicyDocument{Statement: current}.JSON()
	if err != nil {
		return nil, err
	}
	return append(docs, last), nil
}

// stateScope is what the roles' state policy names, known once the bucket and keys exist.
type stateScope struct {
	bucketArn, bucketKeyArn, secretsKeyArn pulumi.StringOutput
	// s3Service is the kms:ViaService value of S3's calls with the bucket key.
	s3Service string
}

// policy is the state access of a role: the deploy role reads and writes the state and encrypts
// and decrypts secrets; the preview role reads the state, writes only the backend's locks (a
// preview takes one) and only decrypts secrets.
func (s stateScope) policy(readOnly bool) pulumi.StringOutput {
	return pulumi.All(s.bucketArn, s.bucketKeyArn, s.secretsKeyArn).ApplyT(func(v []any) (string, error) {
		return statePolicy(v[0].(string), v[1].(string), v[2].(string), s.s3Service, readOnly).JSON()
	}).(pulumi.StringOutput)
}

func statePolicy(bucketArn, bucketKeyArn, secretsKeyArn, s3Service string, readOnly bool) security.PolicyDocument {
	objects := security.Statement{Sid: "StateObjects", Effect: security.Allow,
		Action: security.StringList{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, Resource: security.StringList{bucketArn + "/*"}}
	secrets := security.StringList{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"}
	statements := []security.Statement{{Sid: "StateBucket", Effect: security.Allow,
		Action: security.StringList{"s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketVersions"}, Resource: security.StringList{bucketArn}}}
	if readOnly {
		objects.Action = security.StringList{"s3:GetObject"}
		statements = append(statements, objects, security.Statement{Sid: "StateLocks", Effect: security.Allow,
			Action: security.StringList{"s3:PutObject", "s3:DeleteObject"}, Resource: security.StringList{bucketArn + "/" + stateLockPrefix + "*"}})
		secrets = security.StringList{"kms:Decrypt", "kms:DescribeKey"}
	} else {
		statements = append(statements, objects)
	}
	return security.PolicyDocument{Statement: append(statements,
		// S3 encrypts and decrypts the objects with the bucket key on the role's behalf.
		security.Statement{Sid: "StateBucketKeyThroughS3", Effect: security.Allow,
			Action:    security.StringList{"kms:Decrypt", "kms:GenerateDataKey"},
			Resource:  security.StringList{bucketKeyArn},
			Condition: security.Condition{"StringEquals": {"kms:ViaService": {s3Service}}}},
		security.Statement{Sid: "SecretsProviderKey", Effect: security.Allow, Action: secrets, Resource: security.StringList{secretsKeyArn}},
	)}
}

// tlsOnlyPolicy refuses every request to the bucket that does not use TLS.
func tlsOnlyPolicy(bucketArn string) security.PolicyDocument {
	return security.PolicyDocument{Statement: []security.Statement{tlsOnly(bucketArn)}}
}

func tlsOnly(bucketArn string) security.Statement {
	return security.Statement{
		Sid: "DenyInsecureTransport", Effect: security.Deny, Principal: map[string]security.StringList{"AWS": {"*"}},
		Action: security.StringList{"s3:*"}, Resource: security.StringList{bucketArn, bucketArn + "/*"},
		Condition: security.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
	}
}

// logBucketPolicy is TLS only, and lets S3's logging service write the state bucket's logs, from
// this account's state bucket only (S3 User Guide, "Permissions for log delivery").
func logBucketPolicy(logBucketArn, stateBucketArn, accountID string) security.PolicyDocument {
	return security.PolicyDocument{Statement: []security.Statement{
		tlsOnly(logBucketArn),
		{
			Sid: "S3ServerAccessLogsOfTheStateBucket", Effect: security.Allow,
			Principal: map[string]security.StringList{"Service": {"logging.s3.amazonaws.com"}},
			Action:    security.StringList{"s3:PutObject"}, Resource: security.StringList{logBucketArn + "/*"},
			Condition: security.Condition{
				"ArnLike":      {"aws:SourceArn": {stateBucketArn}},
				"StringEquals": {"aws:SourceAccount": {accountID}},
			},
		},
	}}
}
