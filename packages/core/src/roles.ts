export const Roles = ["ADMIN", "FINANCE", "ML_ENGINEER", "VIEWER"] as const;
export type Role = (typeof Roles)[number];
