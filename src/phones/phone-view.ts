/** What the phones service answers; plain objects, never entities. */
export interface PhoneUsersView {
  mac: string;
  users: string[];
}

export interface UserPhonesView {
  user: string;
  macs: string[];
}

export interface PhoneUserView {
  mac: string;
  user: string;
}
