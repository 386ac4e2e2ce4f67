#!/usr/bin/env node
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { buildStreamingApp } from "../lib/app";

const app = new App();
buildStreamingApp(app);
// cdk-nag's AwsSolutions checks run on every synth and deploy: an unacknowledged finding stops it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
