import { type Static, Type } from "@sinclair/typebox";
import { IsoDate } from "./common.ts";

export const RoleSchema = Type.Union([
  Type.Literal("INACTIVE"),
  Type.Literal("RESTRICTED"),
  Type.Literal("REGULAR"),
  Type.Literal("ADMIN"),
]);

export const UserName = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_.@-]+$" });
export const Password = Type.String({ minLength: 1, maxLength: 1024 });

export const User = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  email: Type.Optional(Type.String()),
  role: RoleSchema,
  createdAt: Type.Optional(IsoDate),
});
export type User = Static<typeof User>;

export const LoginBody = Type.Object(
  { username: UserName, password: Password },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const LoginResponse = Type.Object({ accessToken: Type.String(), expiresAt: IsoDate, user: User });
export type LoginResponse = Static<typeof LoginResponse>;

export const CreateUserBody = Type.Object(
  {
    username: UserName,
    password: Type.String({ minLength: 8, maxLength: 1024 }),
    email: Type.Optional(Type.String({ format: "email", maxLength: 254 })),
    role: RoleSchema,
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object({ role: RoleSchema }, { additionalProperties: false });
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const UserList = Type.Object({ users: Type.Array(User) });
export type UserList = Static<typeof UserList>;

/** Headers the gateway sets from the authorize answer, and agent-service may read. */
export const USER_HEADERS = ["x-user-id", "x-user-name", "x-user-email", "x-user-role"] as const;
