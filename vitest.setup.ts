// aws-local-stepfunctions declares Node >= 22 and calls Promise.withResolvers, which Node 20 lacks.
import './packages/local/src/polyfills.ts';
