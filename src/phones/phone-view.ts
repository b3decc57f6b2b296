/** What the phones service answers; plain objects, never entities. */
export interface PhoneUsersView {
  mac: string;
  /** Only with a device record (phone/set). */
  vendor?: string;
  model?: string | null;
  /** In line order. */
  users: string[];
}

export interface UserPhonesView {
  user: string;
  macs: string[];
}

export interface PhoneUserView {
  mac: string;
  user: string;
  /** Only when phone/add was given a line. */
  line?: number;
}
