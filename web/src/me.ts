// Who the session's token is and what it may do (GET /api/v1/me), so the dashboard offers only
// the screens and actions the token grants. The server checks every call regardless.

import { useQuery } from '@tanstack/react-query';
import { apiGet } from './api.ts';

export interface Me { sub: string; merchant_id: string | null; grants: string[]; permissions: string[]; expires_at: string | null }

export function useMe(token: string) {
  return useQuery({ queryKey: ['me', token], queryFn: () => apiGet<Me>('/api/v1/me', token), staleTime: Infinity, retry: false });
}

export const can = (me: Me | undefined, permission: string): boolean => !!me?.permissions.includes(permission);
