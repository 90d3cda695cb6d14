// The African countries the map draws: ISO 3166-1 numeric code (world-atlas's geometry ids) →
// alpha-2 code (what the API reports). The 54 African Union / UN member states of Africa, plus
// Western Sahara (EH). Somaliland has no ISO code of its own: world-atlas draws it without an id,
// and scripts/build-africa-map.ts merges it into Somalia (SO), where its payments are reported.
// Used at build time only: the generated topology already carries the alpha-2 codes.

export const AFRICA_NUMERIC_TO_ALPHA2: Readonly<Record<string, string>> = {
  '012': 'DZ', // Algeria
  '024': 'AO', // Angola
  '072': 'BW', // Botswana
  '108': 'BI', // Burundi
  '120': 'CM', // Cameroon
  '132': 'CV', // Cabo Verde
  '140': 'CF', // Central African Republic
  '148': 'TD', // Chad
  '174': 'KM', // Comoros
  '178': 'CG', // Congo
  '180': 'CD', // Congo, Democratic Republic of the
  '204': 'BJ', // Benin
  '226': 'GQ', // Equatorial Guinea
  '231': 'ET', // Ethiopia
  '232': 'ER', // Eritrea
  '262': 'DJ', // Djibouti
  '266': 'GA', // Gabon
  '270': 'GM', // Gambia
  '288': 'GH', // Ghana
  '324': 'GN', // Guinea
  '384': 'CI', // Côte d'Ivoire
  '404': 'KE', // Kenya
  '426': 'LS', // Lesotho
  '430': 'LR', // Liberia
  '434': 'LY', // Libya
  '450': 'MG', // Madagascar
  '454': 'MW', // Malawi
  '466': 'ML', // Mali
  '478': 'MR', // Mauritania
  '480': 'MU', // Mauritius
  '504': 'MA', // Morocco
  '508': 'MZ', // Mozambique
  '516': 'NA', // Namibia
  '562': 'NE', // Niger
  '566': 'NG', // Nigeria
  '624': 'GW', // Guinea-Bissau
  '646': 'RW', // Rwanda
  '678': 'ST', // São Tomé and Príncipe
  '686': 'SN', // Senegal
  '690': 'SC', // Seychelles
  '694': 'SL', // Sierra Leone
  '706': 'SO', // Somalia
  '710': 'ZA', // South Africa
  '716': 'ZW', // Zimbabwe
  '728': 'SS', // South Sudan
  '729': 'SD', // Sudan
  '732': 'EH', // Western Sahara
  '748': 'SZ', // Eswatini
  '768': 'TG', // Togo
  '788': 'TN', // Tunisia
  '800': 'UG', // Uganda
  '818': 'EG', // Egypt
  '834': 'TZ', // Tanzania
  '854': 'BF', // Burkina Faso
  '894': 'ZM', // Zambia
};
