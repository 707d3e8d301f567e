import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { type Principal, TenantGate } from '@riffle/application';
import { from, type Observable } from 'rxjs';

/** Runs a route's handler through the TenantGate of the caller's organization. */
@Injectable()
export class TenantFairness implements NestInterceptor {
  constructor(private readonly gate: TenantGate) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    if (!principal) return next.handle();
    return from(
      this.gate.run(
        principal.organizationId,
        () =>
          new Promise((resolve, reject) => {
            next.handle().subscribe({ next: resolve, error: reject });
          }),
      ),
    );
  }
}
