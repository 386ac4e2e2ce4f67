import { describe, expect, it } from "vitest";
import { EMULATOR_METADATA, type EmulatorReport } from "../../lib/emulator/adapt-template";
import { MOTO_CLOUDFORMATION_TYPES } from "../../lib/emulator/moto-resource-types";
import { referencedIds } from "../../lib/emulator/references";
import { type CfnTemplate, synthesizeTemplate } from "../../local/template";

const forAws = synthesizeTemplate();
const forMoto = synthesizeTemplate({ "theworldshop:emulator": "moto" });
const reportOf = (template: CfnTemplate) =>
  (template as { Metadata?: Record<string, unknown> }).Metadata?.[EMULATOR_METADATA] as
    | EmulatorReport
    | undefined;

describe("the stack synthesized with theworldshop:emulator=moto", () => {
  it("holds only resource types moto's CloudFormation creates, with GlobalTables as Tables", () => {
    const types = new Set(Object.values(forMoto.Resources).map((resource) => resource.Type));
    expect([...types].filter((type) => !MOTO_CLOUDFORMATION_TYPES.has(type))).toEqual([]);
    for (const [logicalId, resource] of Object.entries(forAws.Resources))
      if (resource.Type === "AWS::DynamoDB::GlobalTable")
        expect(forMoto.Resources[logicalId]).toMatchObject({
          Type: "AWS::DynamoDB::Table",
          Properties: {
            KeySchema: resource.Properties?.KeySchema,
            AttributeDefinitions: resource.Properties?.AttributeDefinitions,
          },
        });
  });

  it("keeps every table, topic, queue, function and role under its logical id", () => {
    const kept = [
      "AWS::DynamoDB::GlobalTable",
      "AWS::SNS::Topic",
      "AWS::SQS::Queue",
      "AWS::Lambda::Function",
    ];
    for (const [logicalId, resource] of Object.entries(forAws.Resources))
      if (kept.includes(resource.Type) || resource.Type.startsWith("AWS::IAM::"))
        expect(Object.keys(forMoto.Resources)).toContain(logicalId);
  });

  it("refers to no resource it left out, and records each one it left out with the reason", () => {
    const present = new Set(Object.keys(forMoto.Resources));
    const dangling = Object.entries(forMoto.Resources).flatMap(([logicalId, resource]) =>
      [
        ...referencedIds(resource.Properties),
        ...[(resource as { DependsOn?: string[] }).DependsOn ?? []].flat(),
      ]
        .filter((id) => !present.has(id))
        .map((id) => `${logicalId} -> ${id}`),
    );
    expect(dangling).toEqual([]);
    const report = reportOf(forMoto)!;
    expect(Object.keys(report.leftOut).sort()).toEqual(
      Object.keys(forAws.Resources)
        .filter((logicalId) => !present.has(logicalId))
        .sort(),
    );
    for (const { reason } of Object.values(report.leftOut))
      expect(reason).toMatch(/^(moto's|refers to|its policy)/);
  });
});

describe("the stack synthesized for AWS", () => {
  it("is not adapted: no emulator metadata, its tables global", () => {
    expect(reportOf(forAws)).toBeUndefined();
    expect(Object.values(forAws.Resources).map((resource) => resource.Type)).toContain(
      "AWS::DynamoDB::GlobalTable",
    );
  });

  it("fails synth naming theworldshop:emulator when it names no known emulator", () => {
    expect(() => synthesizeTemplate({ "theworldshop:emulator": "docker" })).toThrow(
      /theworldshop:emulator: .*"moto"\|"localstack"/,
    );
  });
});
