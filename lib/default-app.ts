/**
 * The e-commerce app the platform hosts: four stateless services, one stateful
 * event log (the seed article's Kafka example), one external SaaS, and the one
 * declaration of who may talk to whom. Stacks may override any of it in config.
 */
import { AppSpec } from "./app-spec";

export const SHOP_APP: AppSpec = {
  namespace: "shop",
  services: [
    {
      name: "frontend",
      image: "ghcr.io/example/frontend:1.2.0",
      port: 80,
      // Non-root containers cannot bind ports below 1024 without NET_BIND_SERVICE,
      // which `drop: [ALL]` removes, so the pod listens on 8080 behind Service port 80.
      targetPort: 8080,
      probe: { type: "http", path: "/healthz" },
    },
    {
      name: "orders",
      image: "ghcr.io/example/orders:2.4.1",
      port: 8080,
      probe: { type: "http", path: "/healthz" },
    },
    {
      name: "inventory",
      image: "ghcr.io/example/inventory:3.0.2",
      port: 9090,
      probe: { type: "http", path: "/healthz" },
    },
    {
      name: "payment",
      image: "ghcr.io/example/payment:1.8.0",
      port: 8080,
      probe: { type: "http", path: "/healthz" },
    },
    {
      name: "events",
      image: "docker.io/apache/kafka:3.9.1",
      port: 9092,
      extraPorts: [{ name: "controller", port: 9093 }],
      probe: { type: "tcp" },
      stateful: { replicas: 3, storage: "10Gi" },
    },
  ],
  externals: [{ name: "payment-gateway", host: "payments.acme.com", cidrs: ["203.0.113.0/24"], port: 443 }],
  edges: [
    "ingress-controller -> frontend:80",
    "frontend -> orders:8080",
    "frontend -> inventory:9090",
    "orders -> inventory:9090",
    "orders -> payment:8080",
    "orders -> events:9092",
    "events -> events:9092",
    "events -> events:9093",
    "payment -> payment-gateway:443",
  ],
};
