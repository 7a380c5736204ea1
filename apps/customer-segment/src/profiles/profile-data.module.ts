import { Module } from '@nestjs/common';
import { ProfilesRepository } from './profiles.repository';

/** The profiles collection (the profile endpoints and the rule re-evaluation). */
@Module({ providers: [ProfilesRepository], exports: [ProfilesRepository] })
export class ProfileDataModule {}
