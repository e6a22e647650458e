package eksprovider

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"sync"
	"time"
)

// The loopback server's certificate chain: a root, an intermediate and a leaf minted for whatever
// host name the client asks for. pulumi-eks takes the OIDC provider's thumbprint from the
// intermediate (the certificate just below the root, as IAM wants it), so the root and the
// intermediate are the same bytes on every run: Ed25519 keys from fixed seeds, deterministic
// signatures, fixed serials and validity. Otherwise every engine run would see a new thumbprint
// and the second preview would report a change that AWS would never show.
var (
	notBefore = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter  = time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)
)

type authority struct {
	cert *x509.Certificate
	der  []byte
	key  ed25519.PrivateKey
}

// chain holds the fixed root and intermediate and mints leaves on demand.
type chain struct {
	root, intermediate authority

	mu     sync.Mutex
	leaves map[string]*tls.Certificate
}

func seededKey(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("eks-platform engine-check loopback CA: " + label))
	return ed25519.NewKeyFromSeed(seed[:])
}

func newChain() (*chain, error) {
	root, err := newAuthority("eks-platform engine-check root CA", 1, nil)
	if err != nil {
		return nil, err
	}
	intermediate, err := newAuthority("eks-platform engine-check intermediate CA", 2, &root)
	if err != nil {
		return nil, err
	}
	return &chain{root: root, intermediate: intermediate, leaves: map[string]*tls.Certificate{}}, nil
}

func newAuthority(name string, serial int64, parent *authority) (authority, error) {
	key := seededKey(name)
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"eks-platform tests"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	signer, issuer := key, template
	if parent != nil {
		signer, issuer = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(nil, template, issuer, key.Public(), signer)
	if err != nil {
		return authority{}, err
	}
	cert, err := x509.ParseCertificate(der)
	return authority{cert: cert, der: der, key: key}, err
}

// rootPEM is the root certificate, for NODE_EXTRA_CA_CERTS.
func (c *chain) rootPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.root.der})
}

// leaf returns the server certificate for host, with the intermediate (the client has the root).
func (c *chain) leaf(host string) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cert, ok := c.leaves[host]; ok {
		return cert, nil
	}
	key := seededKey("leaf " + host)
	template := &x509.Certificate{
		SerialNumber: big.NewInt(int64(3 + len(c.leaves))),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(nil, template, c.intermediate.cert, key.Public(), c.intermediate.key)
	if err != nil {
		return nil, err
	}
	cert := &tls.Certificate{Certificate: [][]byte{der, c.intermediate.der}, PrivateKey: key}
	c.leaves[host] = cert
	return cert, nil
}
