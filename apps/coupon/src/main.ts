import 'reflect-metadata';
import { runService } from '@suite/foundation';
import { AppModule } from './app.module';
import { SERVICE_NAME, loadCouponConfig } from './config/coupon.config';

void runService(AppModule, loadCouponConfig, SERVICE_NAME);
