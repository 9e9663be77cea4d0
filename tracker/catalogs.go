package tracker

import (
	"embed"
	"sync"
)

// The bureau's catalogue, the default of a new database.
//
//go:embed catalogs/zhanggong-social-insurance.toml
var catalogFS embed.FS

// EmbeddedCatalogFile is the name of the embedded catalogue's file.
const EmbeddedCatalogFile = "catalogs/zhanggong-social-insurance.toml"

var embeddedCatalog = sync.OnceValues(func() (*Catalog, error) {
	data, err := catalogFS.ReadFile(EmbeddedCatalogFile)
	if err != nil {
		return nil, err
	}
	return ParseCatalog(EmbeddedCatalogFile, data)
})

// EmbeddedCatalog returns the catalogue built into gongkai:
// 《章贡区社会保险领域基层政务公开标准目录》, 81 matters. The caller must
// not change it.
func EmbeddedCatalog() *Catalog {
	c, err := embeddedCatalog()
	if err != nil {
		panic("tracker: embedded catalogue: " + err.Error()) // checked by the tests
	}
	return c
}
