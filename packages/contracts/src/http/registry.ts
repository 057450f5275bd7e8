import { z } from 'zod';
import { claimId } from '../claim-id.js';
import { AgentId, AgentManifest, SemVer } from '../manifest.js';
import { refineUniqueIds } from '../primitives.js';

export const RegisteredAgent = z
  .object({ id: AgentId, version: SemVer, manifest: AgentManifest })
  .superRefine((agent, ctx) => {
    // SPEC §5: the agent and its manifest must not drift; a payload where they do is corrupt.
    if (agent.manifest.id !== agent.id) {
      ctx.addIssue({
        code: 'custom',
        path: ['manifest', 'id'],
        input: agent.manifest.id,
        message: 'manifest.id must equal id',
      });
    }
    if (agent.manifest.version !== agent.version) {
      ctx.addIssue({
        code: 'custom',
        path: ['manifest', 'version'],
        input: agent.manifest.version,
        message: 'manifest.version must equal version',
      });
    }
  })
  .meta(
    claimId({
      id: 'RegisteredAgent',
      description: 'An agent and its manifest, as the registry surfaces them.',
    }),
  );
export type RegisteredAgent = z.infer<typeof RegisteredAgent>;

export const AgentRegistryResponse = z
  .object({
    agents: z.array(RegisteredAgent).superRefine((agents, ctx) => refineUniqueIds(agents, ctx, 'agents')),
  })
  .meta(
    claimId({ id: 'AgentRegistryResponse', description: 'GET /agents/registry: every registered agent.' }),
  );
export type AgentRegistryResponse = z.infer<typeof AgentRegistryResponse>;
