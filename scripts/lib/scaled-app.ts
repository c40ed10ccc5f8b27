/**
 * The shop app scaled to n services, for the benchmarks (`npm run bench` under mocks,
 * `npm run bench:engine` on the real engine): the shop's four stateless services, then
 * more in their style, each calling the next two.
 */
import { AppSpec, ServiceSpec } from "../../lib/app-spec";
import { SHOP_APP } from "../../lib/shop";

export function scaledApp(n: number): AppSpec {
  const base = SHOP_APP.services.filter((s) => !s.stateful).slice(0, 4);
  const services: ServiceSpec[] = [];
  for (let i = 0; i < n; i++) {
    const model = base[i % base.length];
    services.push({ ...model, name: i < base.length ? model.name : `${model.name}-${i}` });
  }
  const edges = ["ingress-controller -> frontend:80"];
  for (let i = 0; i < n; i++) {
    for (const j of [i + 1, i + 2]) {
      if (j < n) edges.push(`${services[i].name} -> ${services[j].name}:${services[j].port}`);
    }
  }
  const payment = services.find((s) => s.name === "payment");
  if (payment) edges.push("payment -> payment-gateway:443");
  return { namespace: "shop", services, externals: SHOP_APP.externals, edges };
}
