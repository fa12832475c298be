import { Field, Int, ObjectType } from 'type-graphql';
import { Alarm } from './alarm.entity.js';

@ObjectType()
export class AlarmPage {
  @Field(() => [Alarm])
  items!: Alarm[];

  @Field(() => Int)
  total!: number;
}
