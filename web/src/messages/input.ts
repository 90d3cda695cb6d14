// Messages of the form checks outside the Alerts screen (the sign-in token, the custom date
// range), English and French. Merged into the dictionary in ../i18n.ts.

export const inputEn = {
  signin_token_empty: 'Paste a token first.',
  signin_token_shape: 'This is not a JWT: a token has three parts separated by dots (header.payload.signature), each in base64url.',
  signin_token_checking: 'Checking the token…',
  signin_token_refused: 'The server refused this token:',
  range_error_missing: 'Give both dates.',
  range_error_order: 'The start date is after the end date.',
  range_error_future: 'The start date is in the future.',
};

export const inputFr: Record<keyof typeof inputEn, string> = {
  signin_token_empty: 'Collez d’abord un jeton.',
  signin_token_shape: 'Ce n’est pas un JWT : un jeton a trois parties séparées par des points (en-tête.contenu.signature), chacune en base64url.',
  signin_token_checking: 'Vérification du jeton…',
  signin_token_refused: 'Le serveur a refusé ce jeton :',
  range_error_missing: 'Indiquez les deux dates.',
  range_error_order: 'La date de début est après la date de fin.',
  range_error_future: 'La date de début est dans le futur.',
};
