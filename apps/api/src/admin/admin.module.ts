import { type DynamicModule, Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { OPERATOR_ORGANIZATION, PlatformOperatorGuard } from './platform-operator.guard';
import { QueueDashboard } from './queue-dashboard';
import { QueueDashboardController } from './queue-dashboard.controller';

/** Operator views over shared infrastructure: the queue dashboard. */
@Module({})
export class AdminModule {
  static forRoot(options: { operatorOrganizationId?: string; queuePrefix: string }): DynamicModule {
    return {
      module: AdminModule,
      controllers: [QueueDashboardController],
      providers: [
        { provide: OPERATOR_ORGANIZATION, useValue: options.operatorOrganizationId ?? null },
        PlatformOperatorGuard,
        {
          provide: QueueDashboard,
          inject: [Redis],
          useFactory: (redis: Redis) => new QueueDashboard(redis, options.queuePrefix),
        },
      ],
    };
  }
}
