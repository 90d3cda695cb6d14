// The map's messages, English and French. Merged into the dictionary in ../i18n.ts.

export const mapEn = {
  map_title: 'Map',
  map_label: 'Map of Africa',
  map_min: 'min',
  map_no_data: 'No data',
  map_hint: 'Hover over or tab to a country for its value.',
  map_outside: 'Not on the map',
  map_unavailable: 'The map could not be loaded.',
};

export const mapFr: Record<keyof typeof mapEn, string> = {
  map_title: 'Carte',
  map_label: 'Carte de l’Afrique',
  map_min: 'min',
  map_no_data: 'Aucune donnée',
  map_hint: 'Survolez un pays, ou atteignez-le avec Tab, pour voir sa valeur.',
  map_outside: 'Hors de la carte',
  map_unavailable: 'La carte n’a pas pu être chargée.',
};
