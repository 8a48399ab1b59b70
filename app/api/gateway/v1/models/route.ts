import { handleGatewayRequest } from "@/lib/gateway/gateway";

// The OpenAI-compatible gateway (docs/gateway.md); the handler is lib/gateway's, framework-agnostic.
export const dynamic = "force-dynamic";
export const GET = handleGatewayRequest;
