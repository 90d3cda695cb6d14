// The dashboard's languages: English and French (Senegal's conventions for numbers and dates).
// The choice lives in the URL (`?lang=fr`, so a link reproduces the view) and in localStorage.

import { alertsEn, alertsFr } from './messages/alerts.ts';
import { chartEn, chartFr } from './messages/chart.ts';
import { inputEn, inputFr } from './messages/input.ts';
import { mapEn, mapFr } from './messages/map.ts';
import { merchantEn, merchantFr } from './messages/merchant.ts';
import { routingEn, routingFr } from './messages/routing.ts';

export const LANGS = ['en', 'fr'] as const;
export type Lang = (typeof LANGS)[number];

/** The Intl locale for each language. */
export const LOCALE: Record<Lang, string> = { en: 'en', fr: 'fr-SN' };

const baseEn = {
  overview: 'Overview',
  compared_with_before: 'compared with the period of equal length before',
  signin_subtitle: 'Sign in to the dashboard',
  signin_dev_form: 'Dev sign-in',
  signin_dev_note: 'Development mode: pick who you want to be.',
  signin_role: 'Role',
  signin_merchant: 'Merchant id',
  signin_merchants_with_data: 'Merchants with data, busiest first: pick one or type an id.',
  signin_merchants_none: 'No merchant has data yet: type any id (npm run demo fills the store).',
  signin_user: 'User (optional)',
  signin_button: 'Sign in',
  signin_pending: 'Signing in…',
  signin_no_dev: 'Dev sign-in is not available on this server (it is not in dev mode). Tokens come from your identity provider: paste the JWT it issued you below.',
  signin_token_form: 'Token sign-in',
  signin_token: 'Bearer token',
  signin_use_token: 'Use this token',
  preset_today: 'Today',
  preset_24h: '24 h',
  preset_7d: '7 d',
  preset_30d: '30 d',
  preset_90d: '90 d',
  preset_mtd: 'Month to date',
  preset_custom: 'Custom',
  date_from: 'From',
  date_to: 'To (inclusive)',
  apply: 'Apply',
  time_zone: 'Time zone',
  currency: 'Currency',
  all_currencies: 'All (in USD)',
  amounts_in: 'Amounts in',
  granularity: 'Granularity',
  granularity_auto: 'Auto',
  granularity_hour: 'Hour',
  granularity_day: 'Day',
  granularity_week: 'Week',
  granularity_month: 'Month',
  live_ticker: 'Live',
  tx_last_hour: 'Transactions, last 60 min',
  events_per_second: 'Events per second',
  live_countries: 'Countries',
  latest_alerts: 'Latest alerts',
  see_all_alerts: 'All alerts',
  range: 'Range',
  language: 'Language',
  sign_out: 'Sign out',
  expired: 'Your token is no longer accepted (expired or invalid): sign out and sign in again.',
  load_failed: 'Could not load the overview:',
  loading: 'Loading…',
  complete_up_to: 'Data complete up to',
  nothing_ingested: 'nothing ingested yet',
  awaiting_fx: 'events awaiting an FX rate',
  left_out: '(left out of USD amounts)',
  previous: 'previous',
  chart_title: 'Over time',
  metric: 'Metric',
  max: 'max',
  no_data: 'No data in this range',
  top_countries: 'Top countries',
  top_merchants: 'Top merchants',
  country: 'Country',
  merchant: 'Merchant',
  unknown: 'unknown',
  screens: 'Screens',
  screen_overview: 'Overview',
  screen_live: 'Live',
  screen_drill: 'Drill-down',
  live_subtitle: 'The last 60 minutes, updated as events arrive',
  connection: 'Connection',
  conn_connecting: 'connecting…',
  conn_connected: 'connected',
  conn_disconnected: 'disconnected',
  conn_refused: 'refused',
  room_global: 'All merchants',
  events_per_minute: 'Transactions per minute',
  waiting_snapshot: 'Waiting for the snapshot…',
  all_scope: 'All',
  breakdown_by: 'Breakdown by',
  region: 'Region',
  city: 'City',
  screen_alerts: 'Alerts',
  alert_status: 'Status',
  alert_status_all: 'All',
  alert_status_firing: 'Firing',
  alert_status_pending: 'Pending',
  alert_status_resolved: 'Resolved',
  alert_rule: 'Rule',
  alert_severity: 'Severity',
  alert_state: 'State',
  alert_group: 'Group',
  alert_started: 'Started',
  alert_acknowledged_by: 'Acknowledged by',
  alert_actions: 'Actions',
  severity_info: 'info',
  severity_warn: 'warning',
  severity_critical: 'critical',
  acknowledge: 'Acknowledge',
  resolve: 'Resolve',
  no_alerts: 'No alerts',
  alerts_load_failed: 'Could not load the alerts:',
  alert_action_failed: 'The change was refused:',
  theme_to_dark: 'Dark theme',
  theme_to_light: 'Light theme',
};

const en = { ...baseEn, ...alertsEn, ...chartEn, ...inputEn, ...mapEn, ...merchantEn, ...routingEn };
export type MessageKey = keyof typeof en;

const baseFr: Record<keyof typeof baseEn, string> = {
  overview: 'Vue d’ensemble',
  compared_with_before: 'comparé à la période de même durée qui précède',
  signin_subtitle: 'Connectez-vous au tableau de bord',
  signin_dev_form: 'Connexion de développement',
  signin_dev_note: 'Mode développement : choisissez qui vous voulez être.',
  signin_role: 'Rôle',
  signin_merchant: 'Identifiant marchand',
  signin_merchants_with_data: 'Marchands avec des données, les plus actifs d’abord : choisissez-en un ou saisissez un identifiant.',
  signin_merchants_none: 'Aucun marchand n’a encore de données : saisissez un identifiant (npm run demo remplit la base).',
  signin_user: 'Utilisateur (facultatif)',
  signin_button: 'Se connecter',
  signin_pending: 'Connexion…',
  signin_no_dev: 'La connexion de développement n’est pas disponible sur ce serveur (il n’est pas en mode développement). Les jetons viennent de votre fournisseur d’identité : collez ci-dessous le JWT qu’il vous a délivré.',
  signin_token_form: 'Connexion par jeton',
  signin_token: 'Jeton (bearer)',
  signin_use_token: 'Utiliser ce jeton',
  preset_today: 'Aujourd’hui',
  preset_24h: '24 h',
  preset_7d: '7 j',
  preset_30d: '30 j',
  preset_90d: '90 j',
  preset_mtd: 'Mois en cours',
  preset_custom: 'Personnalisée',
  date_from: 'Du',
  date_to: 'Au (inclus)',
  apply: 'Appliquer',
  time_zone: 'Fuseau horaire',
  currency: 'Devise',
  all_currencies: 'Toutes (en USD)',
  amounts_in: 'Montants en',
  granularity: 'Granularité',
  granularity_auto: 'Auto',
  granularity_hour: 'Heure',
  granularity_day: 'Jour',
  granularity_week: 'Semaine',
  granularity_month: 'Mois',
  live_ticker: 'En direct',
  tx_last_hour: 'Transactions, 60 dernières min',
  events_per_second: 'Événements par seconde',
  live_countries: 'Pays',
  latest_alerts: 'Dernières alertes',
  see_all_alerts: 'Toutes les alertes',
  range: 'Période',
  language: 'Langue',
  sign_out: 'Se déconnecter',
  expired: 'Votre jeton n’est plus accepté (expiré ou invalide) : déconnectez-vous puis reconnectez-vous.',
  load_failed: 'Impossible de charger la vue d’ensemble :',
  loading: 'Chargement…',
  complete_up_to: 'Données complètes jusqu’au',
  nothing_ingested: 'rien d’ingéré pour l’instant',
  awaiting_fx: 'événements en attente d’un taux de change',
  left_out: '(exclus des montants en USD)',
  previous: 'précédent',
  chart_title: 'Évolution',
  metric: 'Indicateur',
  max: 'max',
  no_data: 'Aucune donnée sur cette période',
  top_countries: 'Principaux pays',
  top_merchants: 'Principaux marchands',
  country: 'Pays',
  merchant: 'Marchand',
  unknown: 'inconnu',
  screens: 'Écrans',
  screen_overview: 'Vue d’ensemble',
  screen_live: 'En direct',
  screen_drill: 'Exploration',
  live_subtitle: 'Les 60 dernières minutes, mises à jour à l’arrivée des événements',
  connection: 'Connexion',
  conn_connecting: 'connexion…',
  conn_connected: 'connecté',
  conn_disconnected: 'déconnecté',
  conn_refused: 'refusée',
  room_global: 'Tous les marchands',
  events_per_minute: 'Transactions par minute',
  waiting_snapshot: 'En attente de l’instantané…',
  all_scope: 'Tout',
  breakdown_by: 'Répartition par',
  region: 'Région',
  city: 'Ville',
  screen_alerts: 'Alertes',
  alert_status: 'Statut',
  alert_status_all: 'Toutes',
  alert_status_firing: 'Déclenchées',
  alert_status_pending: 'En attente',
  alert_status_resolved: 'Résolues',
  alert_rule: 'Règle',
  alert_severity: 'Gravité',
  alert_state: 'État',
  alert_group: 'Groupe',
  alert_started: 'Début',
  alert_acknowledged_by: 'Prise en compte par',
  alert_actions: 'Actions',
  severity_info: 'info',
  severity_warn: 'avertissement',
  severity_critical: 'critique',
  acknowledge: 'Prendre en compte',
  resolve: 'Résoudre',
  no_alerts: 'Aucune alerte',
  alerts_load_failed: 'Impossible de charger les alertes :',
  alert_action_failed: 'La modification a été refusée :',
  theme_to_dark: 'Thème sombre',
  theme_to_light: 'Thème clair',
};

const fr: Record<MessageKey, string> = { ...baseFr, ...alertsFr, ...chartFr, ...inputFr, ...mapFr, ...merchantFr, ...routingFr };

/** Every message, per language (exported for the message checks in test/web/messages.test.ts). */
export const DICTIONARY: Record<Lang, Record<MessageKey, string>> = { en, fr };

/**
 * The colon after a label, as the language writes it: French puts a narrow no-break space before
 * it ("Connexion : connecté"). Write `${t('x')}${colon(lang)} …`, never a bare ':' after a message.
 */
export function colon(lang: Lang): string {
  return lang === 'fr' ? '\u202f:' : ':';
}

/**
 * The word for a count in the language's plural form (Intl.PluralRules): `one` or `other`
 * ("1 notification", "2 notifications"; French "0 notification", "2 notifications").
 */
export function plural(lang: Lang, n: number, one: MessageKey, other: MessageKey): string {
  return translate(lang, new Intl.PluralRules(LOCALE[lang]).select(n) === 'one' ? one : other);
}

export function translate(lang: Lang, key: MessageKey): string {
  return DICTIONARY[lang][key];
}

export function isLang(value: string | null): value is Lang {
  return value !== null && (LANGS as readonly string[]).includes(value);
}
