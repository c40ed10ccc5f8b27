/**
 * Which NGINX controller serves an Ingress. Both the community ingress-nginx and
 * F5's NGINX Ingress Controller default to the class name `nginx`, so the stack's
 * policy config may name the classes; otherwise the annotation prefix decides.
 */
import type { K8sManifest } from "./resource-manifest";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export type NginxController = "community" | "f5" | "unknown-nginx" | "other";

export const COMMUNITY_PREFIX = "nginx.ingress.kubernetes.io/";
export const F5_PREFIX = "nginx.org/";

export interface IngressClassConfig {
  /** Ingress class names served by the community ingress-nginx controller. */
  communityClasses: string[];
  /** Ingress class names served by F5 NGINX Ingress Controller. */
  f5Classes: string[];
}

export const INGRESS_CLASS_SCHEMA: {
  [K in keyof IngressClassConfig]: PolicyConfigJSONSchema & { default: string[] };
} = {
  communityClasses: {
    type: "array",
    items: { type: "string" },
    default: [],
    description: "Ingress class names served by the community ingress-nginx controller.",
  },
  f5Classes: {
    type: "array",
    items: { type: "string" },
    default: [],
    description: "Ingress class names served by F5 NGINX Ingress Controller (nginx.org annotations).",
  },
};

export function ingressClassOf(m: K8sManifest): string | undefined {
  const cls = m.spec?.ingressClassName;
  if (typeof cls === "string" && cls !== "") return cls;
  return m.metadata.annotations?.["kubernetes.io/ingress.class"];
}

export function nginxControllerOf(m: K8sManifest, cfg: IngressClassConfig): NginxController {
  const cls = ingressClassOf(m);
  if (cls !== undefined && cfg.f5Classes.includes(cls)) return "f5";
  if (cls !== undefined && cfg.communityClasses.includes(cls)) return "community";
  const keys = Object.keys(m.metadata.annotations ?? {});
  // Community annotations win over F5 ones: they only do anything on the retired controller.
  if (keys.some((k) => k.startsWith(COMMUNITY_PREFIX))) return "community";
  if (keys.some((k) => k.startsWith(F5_PREFIX))) return "f5";
  if (cls === undefined || /nginx/i.test(cls)) return "unknown-nginx";
  return "other";
}

export interface IngressRule {
  host?: string;
}

export interface IngressTLS {
  hosts?: string[];
  secretName?: string;
}

export function ingressRules(m: K8sManifest): IngressRule[] {
  return Array.isArray(m.spec?.rules) ? (m.spec.rules as IngressRule[]) : [];
}

export function ingressTls(m: K8sManifest): IngressTLS[] {
  return Array.isArray(m.spec?.tls) ? (m.spec.tls as IngressTLS[]) : [];
}
