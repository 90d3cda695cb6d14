// Where the synthetic merchants live: 27 African countries with real cities (weighted by
// population), currency, time zone and the real payment providers and rails of each market,
// each mapped to the payment methods it carries. Data only, plus two lookups.

export type PaymentMethod = 'wallet' | 'card' | 'bank_transfer' | 'ussd' | 'qr';

export interface Provider {
  /** The `provider` value sent in events. */
  id: string;
  name: string;
  methods: readonly PaymentMethod[];
  /** Base share of payments that end succeeded (before hour-of-day effects). */
  success: number;
}

export interface City {
  name: string;
  weight: number;
  /** IANA zone when it differs from the country's (eastern DR Congo). */
  timezone?: string;
}

export interface Country {
  code: string;
  name: string;
  currency: string;
  timezone: string;
  /** Relative number of merchants. */
  weight: number;
  cities: readonly City[];
  /** Provider ids with their relative weight in this market. */
  providers: readonly (readonly [string, number])[];
  /** Share of merchants that also take USD / EUR, and the share of their payments in it. */
  foreign: readonly (readonly [currency: 'USD' | 'EUR', merchantShare: number, paymentShare: number])[];
}

const P = (id: string, name: string, methods: PaymentMethod[], success: number): Provider => ({
  id, name, methods, success,
});

export const PROVIDERS: readonly Provider[] = [
  P('wave', 'Wave', ['wallet', 'qr'], 0.935),
  P('orange_money', 'Orange Money', ['wallet', 'ussd', 'qr'], 0.885),
  P('free_money', 'Free Money', ['wallet', 'ussd'], 0.86),
  P('wizall', 'Wizall Money', ['wallet'], 0.85),
  P('mtn_momo', 'MTN MoMo', ['wallet', 'ussd'], 0.875),
  P('moov_money', 'Moov Money', ['wallet', 'ussd'], 0.84),
  P('airtel_money', 'Airtel Money', ['wallet', 'ussd'], 0.855),
  P('tmoney', 'T-Money', ['wallet', 'ussd'], 0.85),
  P('flooz', 'Flooz', ['wallet', 'ussd'], 0.85),
  P('coris_money', 'Coris Money', ['wallet'], 0.86),
  P('celtiis_cash', 'Celtiis Cash', ['wallet'], 0.85),
  P('express_union', 'Express Union Mobile', ['wallet'], 0.86),
  P('telecel_money', 'Telecel Money', ['wallet', 'ussd'], 0.82),
  P('gim_uemoa', 'GIM-UEMOA', ['card'], 0.83),
  P('ecobank', 'Ecobank', ['card', 'bank_transfer'], 0.87),
  P('bank_of_africa', 'Bank of Africa', ['card', 'bank_transfer'], 0.87),
  P('orabank', 'Orabank', ['card', 'bank_transfer'], 0.86),
  P('societe_generale', 'Société Générale', ['card', 'bank_transfer'], 0.88),
  P('afriland', 'Afriland First Bank', ['card', 'bank_transfer'], 0.86),
  P('bgfibank', 'BGFIBank', ['card', 'bank_transfer'], 0.86),
  P('lcb_bank', 'LCB Bank', ['card', 'bank_transfer'], 0.85),
  P('bange', 'BANGE', ['card', 'bank_transfer'], 0.85),
  P('ccei_bank', 'CCEI Bank GE', ['card', 'bank_transfer'], 0.85),
  P('paystack', 'Paystack', ['card', 'bank_transfer', 'ussd', 'qr'], 0.89),
  P('flutterwave', 'Flutterwave', ['card', 'bank_transfer', 'ussd', 'wallet'], 0.87),
  P('interswitch', 'Interswitch', ['card', 'ussd'], 0.85),
  P('opay', 'OPay', ['wallet', 'card', 'bank_transfer', 'qr'], 0.9),
  P('moniepoint', 'Moniepoint', ['card', 'bank_transfer'], 0.91),
  P('palmpay', 'PalmPay', ['wallet', 'bank_transfer'], 0.89),
  P('telecel_cash', 'Telecel Cash', ['wallet', 'ussd'], 0.86),
  P('at_money', 'AT Money', ['wallet', 'ussd'], 0.84),
  P('hubtel', 'Hubtel', ['wallet', 'card'], 0.88),
  P('ghipss', 'GhIPSS', ['bank_transfer', 'card'], 0.92),
  P('mpesa', 'M-Pesa', ['wallet', 'qr'], 0.945),
  P('pesalink', 'PesaLink', ['bank_transfer'], 0.93),
  P('equity_bank', 'Equity Bank', ['card', 'bank_transfer'], 0.88),
  P('kcb', 'KCB', ['card', 'bank_transfer'], 0.88),
  P('stanbic', 'Stanbic Bank', ['card', 'bank_transfer'], 0.88),
  P('mixx_by_yas', 'Mixx by Yas', ['wallet', 'ussd'], 0.88),
  P('halopesa', 'HaloPesa', ['wallet'], 0.85),
  P('crdb', 'CRDB Bank', ['card', 'bank_transfer'], 0.88),
  P('nmb', 'NMB Bank', ['card', 'bank_transfer'], 0.88),
  P('selcom', 'Selcom', ['card', 'qr', 'wallet'], 0.89),
  P('bank_of_kigali', 'Bank of Kigali', ['card', 'bank_transfer'], 0.9),
  P('afrimoney', 'Afrimoney', ['wallet'], 0.84),
  P('rawbank', 'Rawbank', ['card', 'bank_transfer'], 0.86),
  P('equity_bcdc', 'Equity BCDC', ['card', 'bank_transfer'], 0.86),
  P('peach_payments', 'Peach Payments', ['card'], 0.9),
  P('payfast', 'Payfast', ['card', 'bank_transfer'], 0.9),
  P('yoco', 'Yoco', ['card', 'qr'], 0.91),
  P('ozow', 'Ozow', ['bank_transfer'], 0.92),
  P('snapscan', 'SnapScan', ['qr'], 0.92),
  P('cmi', 'CMI', ['card'], 0.88),
  P('attijariwafa', 'Attijariwafa Bank', ['card', 'bank_transfer'], 0.89),
  P('cih_bank', 'CIH Bank', ['card', 'bank_transfer'], 0.88),
  P('inwi_money', 'inwi money', ['wallet'], 0.86),
  P('fawry', 'Fawry', ['card', 'wallet', 'qr'], 0.9),
  P('vodafone_cash', 'Vodafone Cash', ['wallet'], 0.88),
  P('instapay', 'InstaPay', ['bank_transfer', 'qr'], 0.93),
  P('paymob', 'Paymob', ['card', 'wallet'], 0.88),
  P('telebirr', 'telebirr', ['wallet', 'qr', 'ussd'], 0.9),
  P('cbe_birr', 'CBE Birr', ['wallet', 'ussd'], 0.87),
  P('chapa', 'Chapa', ['card', 'wallet', 'bank_transfer'], 0.88),
  P('zamtel_money', 'Zamtel Money', ['wallet', 'ussd'], 0.84),
  P('zanaco', 'Zanaco', ['card', 'bank_transfer'], 0.88),
];

const PROVIDER_BY_ID = new Map(PROVIDERS.map((p) => [p.id, p]));

/** The provider with this id; throws on an id missing from PROVIDERS (a data bug). */
export function providerById(id: string): Provider {
  const p = PROVIDER_BY_ID.get(id);
  if (p === undefined) throw new Error(`unknown provider ${id}`);
  return p;
}

type CityRow = readonly [name: string, weight: number, timezone?: string];
type Row = Omit<Country, 'cities'> & { cities: readonly CityRow[] };

const UEMOA_FOREIGN = [['EUR', 0.04, 0.25], ['USD', 0.02, 0.3]] as const;
const CEMAC_FOREIGN = [['EUR', 0.03, 0.25], ['USD', 0.03, 0.3]] as const;
const USD_ONLY = [['USD', 0.04, 0.3]] as const;

const ROWS: readonly Row[] = [
  { code: 'SN', name: 'Senegal', currency: 'XOF', timezone: 'Africa/Dakar', weight: 9, foreign: UEMOA_FOREIGN,
    cities: [['Dakar', 45], ['Touba', 12], ['Thiès', 10], ['Mbour', 7], ['Saint-Louis', 8], ['Kaolack', 7], ['Ziguinchor', 6], ['Rufisque', 5]],
    providers: [['wave', 40], ['orange_money', 30], ['free_money', 10], ['wizall', 3], ['gim_uemoa', 7], ['ecobank', 6], ['societe_generale', 4]] },
  { code: 'CI', name: "Côte d'Ivoire", currency: 'XOF', timezone: 'Africa/Abidjan', weight: 9, foreign: UEMOA_FOREIGN,
    cities: [['Abidjan', 55], ['Bouaké', 12], ['Daloa', 7], ['Yamoussoukro', 7], ['San-Pédro', 7], ['Korhogo', 6], ['Man', 5]],
    providers: [['orange_money', 30], ['mtn_momo', 22], ['moov_money', 12], ['wave', 20], ['gim_uemoa', 6], ['ecobank', 5], ['societe_generale', 5]] },
  { code: 'ML', name: 'Mali', currency: 'XOF', timezone: 'Africa/Bamako', weight: 3, foreign: UEMOA_FOREIGN,
    cities: [['Bamako', 60], ['Sikasso', 10], ['Mopti', 8], ['Kayes', 8], ['Ségou', 8], ['Koutiala', 6]],
    providers: [['orange_money', 50], ['moov_money', 20], ['wave', 15], ['ecobank', 8], ['bank_of_africa', 7]] },
  { code: 'BF', name: 'Burkina Faso', currency: 'XOF', timezone: 'Africa/Ouagadougou', weight: 3, foreign: UEMOA_FOREIGN,
    cities: [['Ouagadougou', 60], ['Bobo-Dioulasso', 20], ['Koudougou', 8], ['Banfora', 6], ['Ouahigouya', 6]],
    providers: [['orange_money', 45], ['moov_money', 25], ['coris_money', 12], ['ecobank', 10], ['gim_uemoa', 8]] },
  { code: 'NE', name: 'Niger', currency: 'XOF', timezone: 'Africa/Niamey', weight: 1.5, foreign: UEMOA_FOREIGN,
    cities: [['Niamey', 55], ['Zinder', 14], ['Maradi', 14], ['Tahoua', 9], ['Agadez', 8]],
    providers: [['airtel_money', 45], ['moov_money', 30], ['ecobank', 15], ['bank_of_africa', 10]] },
  { code: 'BJ', name: 'Benin', currency: 'XOF', timezone: 'Africa/Porto-Novo', weight: 3, foreign: UEMOA_FOREIGN,
    cities: [['Cotonou', 50], ['Abomey-Calavi', 18], ['Porto-Novo', 14], ['Parakou', 10], ['Djougou', 8]],
    providers: [['mtn_momo', 50], ['moov_money', 20], ['celtiis_cash', 10], ['ecobank', 10], ['bank_of_africa', 10]] },
  { code: 'TG', name: 'Togo', currency: 'XOF', timezone: 'Africa/Lome', weight: 2, foreign: UEMOA_FOREIGN,
    cities: [['Lomé', 65], ['Sokodé', 10], ['Kara', 10], ['Kpalimé', 8], ['Atakpamé', 7]],
    providers: [['tmoney', 40], ['flooz', 35], ['ecobank', 13], ['orabank', 12]] },
  { code: 'GW', name: 'Guinea-Bissau', currency: 'XOF', timezone: 'Africa/Bissau', weight: 0.5, foreign: UEMOA_FOREIGN,
    cities: [['Bissau', 75], ['Bafatá', 10], ['Gabú', 9], ['Cacheu', 6]],
    providers: [['orange_money', 50], ['mtn_momo', 30], ['ecobank', 20]] },
  { code: 'CM', name: 'Cameroon', currency: 'XAF', timezone: 'Africa/Douala', weight: 6, foreign: CEMAC_FOREIGN,
    cities: [['Douala', 38], ['Yaoundé', 35], ['Bamenda', 7], ['Bafoussam', 6], ['Garoua', 5], ['Maroua', 4], ['Limbe', 3], ['Kribi', 2]],
    providers: [['mtn_momo', 42], ['orange_money', 35], ['express_union', 5], ['afriland', 10], ['ecobank', 8]] },
  { code: 'GA', name: 'Gabon', currency: 'XAF', timezone: 'Africa/Libreville', weight: 1, foreign: CEMAC_FOREIGN,
    cities: [['Libreville', 65], ['Port-Gentil', 15], ['Franceville', 9], ['Oyem', 6], ['Moanda', 5]],
    providers: [['airtel_money', 55], ['moov_money', 20], ['bgfibank', 25]] },
  { code: 'CG', name: 'Republic of the Congo', currency: 'XAF', timezone: 'Africa/Brazzaville', weight: 1, foreign: CEMAC_FOREIGN,
    cities: [['Brazzaville', 55], ['Pointe-Noire', 35], ['Dolisie', 5], ['Nkayi', 3], ['Owando', 2]],
    providers: [['mtn_momo', 45], ['airtel_money', 30], ['bgfibank', 15], ['lcb_bank', 10]] },
  { code: 'TD', name: 'Chad', currency: 'XAF', timezone: 'Africa/Ndjamena', weight: 0.8, foreign: CEMAC_FOREIGN,
    cities: [["N'Djamena", 65], ['Moundou', 12], ['Abéché', 9], ['Sarh', 9], ['Kélo', 5]],
    providers: [['airtel_money', 55], ['moov_money', 30], ['ecobank', 15]] },
  { code: 'CF', name: 'Central African Republic', currency: 'XAF', timezone: 'Africa/Bangui', weight: 0.4, foreign: CEMAC_FOREIGN,
    cities: [['Bangui', 70], ['Bimbo', 12], ['Berbérati', 7], ['Carnot', 6], ['Bambari', 5]],
    providers: [['orange_money', 55], ['telecel_money', 25], ['ecobank', 20]] },
  { code: 'GQ', name: 'Equatorial Guinea', currency: 'XAF', timezone: 'Africa/Malabo', weight: 0.4, foreign: CEMAC_FOREIGN,
    cities: [['Malabo', 50], ['Bata', 35], ['Ebebiyín', 7], ['Mongomo', 5], ['Luba', 3]],
    providers: [['bange', 55], ['ccei_bank', 30], ['societe_generale', 15]] },
  { code: 'NG', name: 'Nigeria', currency: 'NGN', timezone: 'Africa/Lagos', weight: 14, foreign: [['USD', 0.04, 0.2]],
    cities: [['Lagos', 40], ['Abuja', 15], ['Port Harcourt', 10], ['Kano', 9], ['Ibadan', 9], ['Benin City', 6], ['Enugu', 6], ['Kaduna', 5]],
    providers: [['paystack', 26], ['flutterwave', 20], ['interswitch', 12], ['opay', 18], ['moniepoint', 16], ['palmpay', 8]] },
  { code: 'GH', name: 'Ghana', currency: 'GHS', timezone: 'Africa/Accra', weight: 7, foreign: USD_ONLY,
    cities: [['Accra', 45], ['Kumasi', 25], ['Tamale', 8], ['Takoradi', 8], ['Cape Coast', 6], ['Tema', 8]],
    providers: [['mtn_momo', 45], ['telecel_cash', 14], ['at_money', 6], ['hubtel', 12], ['ghipss', 8], ['paystack', 15]] },
  { code: 'KE', name: 'Kenya', currency: 'KES', timezone: 'Africa/Nairobi', weight: 10, foreign: USD_ONLY,
    cities: [['Nairobi', 50], ['Mombasa', 15], ['Kisumu', 8], ['Nakuru', 8], ['Eldoret', 7], ['Thika', 6], ['Machakos', 6]],
    providers: [['mpesa', 70], ['airtel_money', 8], ['pesalink', 6], ['equity_bank', 9], ['kcb', 7]] },
  { code: 'UG', name: 'Uganda', currency: 'UGX', timezone: 'Africa/Kampala', weight: 4, foreign: USD_ONLY,
    cities: [['Kampala', 55], ['Entebbe', 10], ['Gulu', 8], ['Mbarara', 10], ['Jinja', 10], ['Mbale', 7]],
    providers: [['mtn_momo', 50], ['airtel_money', 30], ['stanbic', 12], ['flutterwave', 8]] },
  { code: 'TZ', name: 'Tanzania', currency: 'TZS', timezone: 'Africa/Dar_es_Salaam', weight: 4, foreign: USD_ONLY,
    cities: [['Dar es Salaam', 45], ['Dodoma', 10], ['Arusha', 12], ['Mwanza', 12], ['Zanzibar City', 8], ['Mbeya', 7], ['Morogoro', 6]],
    providers: [['mpesa', 38], ['mixx_by_yas', 22], ['airtel_money', 16], ['halopesa', 5], ['crdb', 7], ['nmb', 6], ['selcom', 6]] },
  { code: 'RW', name: 'Rwanda', currency: 'RWF', timezone: 'Africa/Kigali', weight: 2, foreign: USD_ONLY,
    cities: [['Kigali', 70], ['Musanze', 9], ['Huye', 8], ['Rubavu', 8], ['Rwamagana', 5]],
    providers: [['mtn_momo', 60], ['airtel_money', 15], ['bank_of_kigali', 15], ['equity_bank', 10]] },
  { code: 'GN', name: 'Guinea', currency: 'GNF', timezone: 'Africa/Conakry', weight: 2, foreign: USD_ONLY,
    cities: [['Conakry', 60], ['Nzérékoré', 10], ['Kankan', 10], ['Kindia', 8], ['Labé', 7], ['Boké', 5]],
    providers: [['orange_money', 60], ['mtn_momo', 25], ['ecobank', 15]] },
  { code: 'CD', name: 'DR Congo', currency: 'CDF', timezone: 'Africa/Kinshasa', weight: 3, foreign: [['USD', 0.6, 0.65]],
    cities: [['Kinshasa', 45], ['Lubumbashi', 15, 'Africa/Lubumbashi'], ['Mbuji-Mayi', 8, 'Africa/Lubumbashi'],
      ['Goma', 8, 'Africa/Lubumbashi'], ['Kisangani', 7, 'Africa/Lubumbashi'], ['Bukavu', 6, 'Africa/Lubumbashi'], ['Matadi', 5]],
    providers: [['mpesa', 30], ['orange_money', 25], ['airtel_money', 20], ['afrimoney', 5], ['rawbank', 12], ['equity_bcdc', 8]] },
  { code: 'ZA', name: 'South Africa', currency: 'ZAR', timezone: 'Africa/Johannesburg', weight: 5, foreign: USD_ONLY,
    cities: [['Johannesburg', 30], ['Cape Town', 25], ['Durban', 15], ['Pretoria', 15], ['Gqeberha', 8], ['Bloemfontein', 7]],
    providers: [['peach_payments', 22], ['payfast', 22], ['yoco', 25], ['ozow', 16], ['snapscan', 15]] },
  { code: 'MA', name: 'Morocco', currency: 'MAD', timezone: 'Africa/Casablanca', weight: 3, foreign: [['EUR', 0.05, 0.3], ['USD', 0.02, 0.3]],
    cities: [['Casablanca', 35], ['Rabat', 15], ['Marrakesh', 14], ['Fès', 11], ['Tangier', 11], ['Agadir', 8], ['Meknès', 6]],
    providers: [['cmi', 45], ['attijariwafa', 20], ['cih_bank', 15], ['inwi_money', 8], ['orange_money', 12]] },
  { code: 'EG', name: 'Egypt', currency: 'EGP', timezone: 'Africa/Cairo', weight: 5, foreign: USD_ONLY,
    cities: [['Cairo', 45], ['Alexandria', 18], ['Giza', 15], ['Shubra El Kheima', 6], ['Port Said', 4], ['Suez', 4], ['Mansoura', 5], ['Luxor', 3]],
    providers: [['fawry', 30], ['vodafone_cash', 22], ['instapay', 20], ['paymob', 28]] },
  { code: 'ET', name: 'Ethiopia', currency: 'ETB', timezone: 'Africa/Addis_Ababa', weight: 2, foreign: USD_ONLY,
    cities: [['Addis Ababa', 60], ['Dire Dawa', 8], ['Mekelle', 7], ['Gondar', 6], ['Bahir Dar', 7], ['Hawassa', 7], ['Adama', 5]],
    providers: [['telebirr', 55], ['cbe_birr', 20], ['mpesa', 8], ['chapa', 17]] },
  { code: 'ZM', name: 'Zambia', currency: 'ZMW', timezone: 'Africa/Lusaka', weight: 2, foreign: USD_ONLY,
    cities: [['Lusaka', 50], ['Kitwe', 15], ['Ndola', 14], ['Kabwe', 7], ['Livingstone', 7], ['Chingola', 7]],
    providers: [['mtn_momo', 40], ['airtel_money', 30], ['zamtel_money', 8], ['zanaco', 12], ['stanbic', 10]] },
];

export const COUNTRIES: readonly Country[] = ROWS.map((row) => ({
  ...row,
  cities: row.cities.map(([name, weight, timezone]) =>
    timezone === undefined ? { name, weight } : { name, weight, timezone }),
}));

/** Every currency a generated event can carry: home currencies plus USD and EUR. */
export const GENERATED_CURRENCIES: readonly string[] = [
  ...new Set([...COUNTRIES.map((c) => c.currency), 'USD', 'EUR']),
].sort();
