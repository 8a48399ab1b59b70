import { describe, expect, it } from "vitest";
import { AppError } from "../../../lib/errors.ts";
import { assertCan, can, labelAction, PERMISSIONS, refusal, ROLES, type Action, type Role } from "../../../lib/auth/permissions.ts";

// Issue #9 "One permission table": the matrix's shape, written out by hand so a changed rule is a visible diff here.

const actions = Object.keys(PERMISSIONS) as Action[];
const allowed = (role: Role) => actions.filter((action) => can(role, action)).sort();

describe("permission table", () => {
  it("gives every action a non-empty set of known roles, each once, and always includes the owner", () => {
    for (const action of actions) {
      const roles = PERMISSIONS[action];
      expect(roles.length, action).toBeGreaterThan(0);
      expect(new Set(roles).size, action).toBe(roles.length);
      for (const role of roles) expect(ROLES, action).toContain(role);
      expect(roles, action).toContain("owner");
    }
  });

  it("ranks roles: owner ⊇ admin ⊇ editor ⊇ viewer", () => {
    const [owner, admin, editor, viewer] = [allowed("owner"), allowed("admin"), allowed("editor"), allowed("viewer")];
    expect(admin.filter((action) => !owner.includes(action))).toEqual([]);
    expect(editor.filter((action) => !admin.includes(action))).toEqual([]);
    expect(viewer.filter((action) => !editor.includes(action))).toEqual([]);
  });

  it("lets viewers read, comment and vote in blind review, and nothing else", () => {
    expect(allowed("viewer")).toEqual(["comment.write", "vote.cast", "workspace.read"]);
  });

  it("adds model calls, prompt, suite and unprotected label edits for editors", () => {
    expect(allowed("editor").filter((action) => !can("viewer", action))).toEqual([
      "label.move",
      "model.call",
      "prompt.edit",
      "review.write",
      "run.cancel",
      "shareLink.create",
      "suite.edit",
    ]);
  });

  it("adds connections and keys, local models, members, releases, gateway keys and protected labels for admins", () => {
    expect(allowed("admin").filter((action) => !can("editor", action))).toEqual([
      "comment.moderate",
      "connection.manage",
      "gatewayKey.manage",
      "label.moveProtected",
      "localModel.manage",
      "member.manage",
      "release.manage",
      "shareLink.manage",
    ]);
  });

  it("keeps workspace settings, ownership transfer and deletion to owners", () => {
    expect(allowed("owner").filter((action) => !can("admin", action))).toEqual(["workspace.delete", "workspace.settings", "workspace.transfer"]);
  });

  it("treats production as a protected label and any other name as an ordinary one", () => {
    expect(labelAction("production", ["production"])).toBe("label.moveProtected");
    expect(labelAction("staging", ["production"])).toBe("label.move");
    expect(labelAction("production-eu", ["production"])).toBe("label.move");
    // the list is the workspace's setting: an unprotected production, a protected staging
    expect(labelAction("production", [])).toBe("label.move");
    expect(labelAction("staging", ["production", "staging"])).toBe("label.moveProtected");
  });
});

describe("assertCan", () => {
  it("refuses a viewer running a model with a 403 that names the role needed", () => {
    const refused = (() => {
      try {
        assertCan({ role: "viewer" }, "model.call");
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "forbidden", subject: "model.call", message: "Editors and above can run models; you are a viewer." });
  });

  it("words each rank of refusal", () => {
    expect(refusal("editor", "connection.manage")).toBe("Admins and above can manage connections and their keys; you are an editor.");
    expect(refusal("admin", "workspace.delete")).toBe("Only owners can delete the workspace; you are an admin.");
    expect(refusal("editor", "label.moveProtected")).toBe("Admins and above can move protected labels such as production; you are an editor.");
  });

  it("lets an allowed role through", () => {
    expect(() => assertCan({ role: "editor" }, "model.call")).not.toThrow();
    expect(() => assertCan({ role: "owner" }, "workspace.delete")).not.toThrow();
  });
});
