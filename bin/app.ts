#!/usr/bin/env node
import { App } from "aws-cdk-lib";
import { buildStreamingApp } from "../lib/app";

const app = new App();
buildStreamingApp(app);
app.synth();
