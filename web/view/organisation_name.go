package view

import (
	"plenary/internal/domain"
	"plenary/internal/i18n"
)

// OrgNameIn is an organisation's name in t's language: the translation the secretariat gave;
// else, for a Member State, its country's name in that language (CLDR's, or the UN's where
// they differ: i18n.Translator.Country); else its official name (English). English pages show
// the official name ("China (People's Republic of)"), not CLDR's.
func OrgNameIn(t *i18n.Translator, name string, names domain.Text, kind, country string) string {
	lang := t.Lang.Tag
	if v := names[lang]; v != "" {
		return v
	}
	if lang != i18n.Default && kind == string(domain.MemberState) && country != "" {
		if c := t.Country(country); c != country {
			return c
		}
	}
	return name
}

// OrgOf is an organisation's name in t's language (OrgNameIn).
func OrgOf(t *i18n.Translator, o domain.Organisation) string {
	return OrgNameIn(t, o.Name, o.Names, string(o.Kind), o.Country)
}

// LineOrg is the name of a registration's organisation in t's language (OrgNameIn).
func LineOrg(t *i18n.Translator, l domain.RegistrationLine) string {
	return OrgNameIn(t, l.OrgName, l.OrgNames, l.OrgKind, l.Country)
}
