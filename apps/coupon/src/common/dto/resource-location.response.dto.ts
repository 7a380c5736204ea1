import { ApiProperty } from '@nestjs/swagger';

/** The `201` body of a create (coupon §3.6, `resource-location`); the `Location` header points at the resource. */
export class ResourceLocationDto {
  @ApiProperty({ description: 'The id of the new resource (a coupon code, or a redemption id).', example: 'WINTER10' })
  id!: string;

  @ApiProperty({
    description: 'The resource name; clients should rely on `id` only.',
    example: 'urn:yaas:saasag:coupon:coupon:acme;WINTER10',
  })
  yrn!: string;
}
