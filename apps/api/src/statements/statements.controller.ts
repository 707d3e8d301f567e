import { createHash } from 'node:crypto';
import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBasicAuth, ApiTags } from '@nestjs/swagger';
import {
  DeleteStatement,
  GetStatementUsage,
  ListStatementExceptions,
  type ListStatementsQuery,
  ListStatements,
  type Principal,
  ReadStatementResults,
  SubmitStatement,
  type SubmitStatementRequest,
  UpdateStatement,
  type UpdateStatementRequest,
} from '@riffle/application';
import { RiffleError } from '@riffle/domain';
import { SqlIdempotencyRepository } from '@riffle/persistence';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequirePermission } from '../auth/api-key.guard';
import { TenantFairness } from '../http/tenant-fairness.interceptor';
import { presentStatement, statementsPath } from './statement.presenter';

const OP_NAMES = ['+I', '-U', '+U', '-D'];

@ApiTags('statements')
@ApiBasicAuth()
/** GET of one statement is a plain Fastify route: statement-read.route.ts */
@Controller('sql/v1/organizations/:org/environments/:env/statements')
export class StatementsController {
  constructor(
    private readonly submit: SubmitStatement,
    private readonly list: ListStatements,
    private readonly update: UpdateStatement,
    private readonly remove: DeleteStatement,
    private readonly results: ReadStatementResults,
    private readonly exceptions: ListStatementExceptions,
    private readonly idempotency: SqlIdempotencyRepository,
    private readonly usage: GetStatementUsage,
  ) {}

  /** 201 + Location; the same Idempotency-Key with the same body answers the same again */
  @Post()
  @RequirePermission('statement.write')
  @UseInterceptors(TenantFairness)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('env') env: string,
    @Body() body: SubmitStatementRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const requestSha256 = createHash('sha256')
      .update(JSON.stringify([org, env, body]))
      .digest('hex');
    if (idempotencyKey !== undefined) {
      if (!/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
        throw new RiffleError(
          'INVALID_IDEMPOTENCY_KEY',
          'invalid',
          'Idempotency-Key must be 1-255 visible ASCII characters.',
        );
      }
      const seen = await this.idempotency.find(principal.organizationId, idempotencyKey);
      if (seen) {
        if (seen.requestSha256 !== requestSha256) {
          throw new RiffleError(
            'IDEMPOTENCY_KEY_REUSED',
            'conflict',
            'This Idempotency-Key was used with a different request; use a new key.',
          );
        }
        void reply
          .status(seen.status)
          .header('location', (seen.body as { metadata: { self: string } }).metadata.self);
        return seen.body;
      }
    }
    const statement = presentStatement(await this.submit.execute(principal, org, env, body));
    if (idempotencyKey !== undefined) {
      await this.idempotency.remember(
        principal.organizationId,
        idempotencyKey,
        requestSha256,
        201,
        statement,
      );
    }
    void reply.status(201).header('location', statement.metadata.self);
    return statement;
  }

  @Get()
  @RequirePermission('statement.read')
  async index(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('env') env: string,
    @Query() query: ListStatementsQuery,
  ) {
    const page = await this.list.execute(principal, org, env, query);
    const base = statementsPath(org, env);
    return {
      api_version: 'sql/v1',
      kind: 'StatementList',
      metadata: { self: base, next: page.next ? `${base}?page_token=${page.next}` : '' },
      data: page.data.map(presentStatement),
    };
  }

  @Put(':name')
  @RequirePermission('statement.write')
  @UseInterceptors(TenantFairness)
  async change(
    @CurrentPrincipal() p: Principal,
    @Param('org') org: string,
    @Param('env') env: string,
    @Param('name') name: string,
    @Body() body: UpdateStatementRequest,
  ) {
    return presentStatement(await this.update.execute(p, org, env, name, body));
  }

  @Delete(':name')
  @RequirePermission('statement.write')
  @UseInterceptors(TenantFairness)
  @HttpCode(202)
  async destroy(
    @CurrentPrincipal() p: Principal,
    @Param('org') org: string,
    @Param('env') env: string,
    @Param('name') name: string,
  ) {
    await this.remove.execute(p, org, env, name);
  }

  /** rows as { op: 0..3 (+I, -U, +U, -D), row: [...] }; metadata.next is empty at the end */
  @Get(':name/results')
  @RequirePermission('statement.results')
  async rows(
    @CurrentPrincipal() p: Principal,
    @Param('org') org: string,
    @Param('env') env: string,
    @Param('name') name: string,
    @Query('page_token') pageToken: string | undefined,
  ) {
    const page = await this.results.execute(p, org, env, name, pageToken);
    const self = `${statementsPath(org, env)}/${name}/results`;
    return {
      api_version: 'sql/v1',
      kind: 'StatementResult',
      metadata: {
        self,
        next: page.next === null ? '' : `${self}?page_token=${page.next}`,
        // a cap stopped the query: the rows here are all it kept (see the statement's status.detail)
        ...(page.truncation ? { truncation: page.truncation } : {}),
      },
      results: { data: page.rows.map((r) => ({ op: r.op, op_name: OP_NAMES[r.op], row: r.row })) },
    };
  }

  @Get(':name/exceptions')
  @RequirePermission('statement.read')
  async errors(
    @CurrentPrincipal() p: Principal,
    @Param('org') org: string,
    @Param('env') env: string,
    @Param('name') name: string,
  ) {
    const list = await this.exceptions.execute(p, org, env, name);
    return {
      api_version: 'sql/v1',
      kind: 'StatementExceptionList',
      data: list.map((e) => ({
        name: e.name,
        message: e.message,
        timestamp: e.occurredAt.toISOString(),
        count: e.count,
        kind: e.kind,
      })),
    };
  }

  /** the statement's closed usage minutes (CFU-seconds, exact) */
  @Get(':name/usage')
  @RequirePermission('statement.usage')
  readUsage(
    @CurrentPrincipal() p: Principal,
    @Param('org') org: string,
    @Param('env') env: string,
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
  ) {
    return this.usage.execute(p, org, env, name, { start: query.start, end: query.end });
  }
}
